using Microsoft.Extensions.Options;

namespace Brax.Viewer.Server.Forwarding;

/// <summary>Checks <see cref="TrustedProxyOptions"/> at start-up, against the framework's own switch.</summary>
internal sealed class TrustedProxyOptionsValidator(IConfiguration configuration) : IValidateOptions<TrustedProxyOptions>
{
    public ValidateOptionsResult Validate(string? name, TrustedProxyOptions options)
    {
        var frameworkSwitchOn = string.Equals(configuration[TrustedProxyOptions.FrameworkSwitch], "true", StringComparison.OrdinalIgnoreCase);
        var failures = options.Validate(frameworkSwitchOn).ToList();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
