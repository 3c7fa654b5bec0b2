using Microsoft.Extensions.Options;

namespace Brax.Viewer.Server.Startup;

/// <summary>
/// Leaves the host's own report of a failed start out of the log. The generic host logs the
/// failure as an error with the exception's whole stack, then throws that same exception to whoever
/// started it: Program, which names a start-up mistake in one line (<see cref="StartupFailure"/>)
/// and lets a bug crash with its stack, or a test. The log entry would only repeat it, as a stack
/// in front of the one line. Once the host has started, its errors (a failing background service)
/// are logged as before.
/// </summary>
internal sealed class HostStartFailureLogFilter : IPostConfigureOptions<LoggerFilterOptions>
{
    private const string HostCategory = "Microsoft.Extensions.Hosting.Internal.Host";

    private volatile bool _started;

    /// <summary>From now on the host's errors are logged: it has started, so none of them is a failed start.</summary>
    public void HostStarted() => _started = true;

    /// <summary>Adds this filter to every logging rule, keeping each rule's level and own filter.</summary>
    public void PostConfigure(string? name, LoggerFilterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);

        // Logging picks one rule per provider and category, so a rule added beside the others
        // would replace the configured level of every category it matched; each rule gains the
        // filter instead.
        var rules = options.Rules
            .Select(rule => new LoggerFilterRule(rule.ProviderName, rule.CategoryName, rule.LogLevel, With(rule.Filter)))
            .ToList();

        // A category no rule matches logs at the options' minimum level: the same, with the
        // filter. First in the list, so that any other matching rule still wins.
        rules.Insert(0, new LoggerFilterRule(null, null, options.MinLevel, With(null)));

        options.Rules.Clear();
        foreach (var rule in rules)
        {
            options.Rules.Add(rule);
        }
    }

    private Func<string?, string?, LogLevel, bool> With(Func<string?, string?, LogLevel, bool>? filter) =>
        (provider, category, level) => Allows(category, level) && (filter is null || filter(provider, category, level));

    private bool Allows(string? category, LogLevel level) =>
        _started || level != LogLevel.Error || !string.Equals(category, HostCategory, StringComparison.Ordinal);
}
