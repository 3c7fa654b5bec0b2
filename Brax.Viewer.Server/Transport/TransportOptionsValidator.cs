using Microsoft.Extensions.Options;

namespace Brax.Viewer.Server.Transport;

/// <summary>Checks <see cref="TransportOptions"/> at start-up.</summary>
internal sealed class TransportOptionsValidator : IValidateOptions<TransportOptions>
{
    public ValidateOptionsResult Validate(string? name, TransportOptions options)
    {
        var failures = options.Validate().ToList();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
