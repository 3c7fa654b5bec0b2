using Microsoft.Extensions.Options;

namespace Brax.Viewer.Client;

/// <summary>Fails options resolution with the problems <see cref="BraxViewerClientOptions.Validate"/> finds.</summary>
internal sealed class BraxViewerClientOptionsValidation : IValidateOptions<BraxViewerClientOptions>
{
    public ValidateOptionsResult Validate(string? name, BraxViewerClientOptions options)
    {
        var problems = options.Validate();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
