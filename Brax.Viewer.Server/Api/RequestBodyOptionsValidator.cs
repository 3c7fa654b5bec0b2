using Microsoft.Extensions.Options;

namespace Brax.Viewer.Server.Api;

/// <summary>Checks <see cref="RequestBodyOptions"/> at start-up.</summary>
internal sealed class RequestBodyOptionsValidator : IValidateOptions<RequestBodyOptions>
{
    public ValidateOptionsResult Validate(string? name, RequestBodyOptions options)
    {
        var failures = options.Validate().ToList();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
