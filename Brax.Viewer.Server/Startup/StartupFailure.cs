using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;

namespace Brax.Viewer.Server.Startup;

/// <summary>
/// Tells a start-up mistake from a bug. A mistake (a bad <c>--system</c> file, an invalid or unknown
/// <c>Viewer:*</c> setting, a port already in use) ends the start with one line naming it and exit
/// code <see cref="ExitCode"/>; anything else is a bug and may crash with its stack.
/// </summary>
internal static class StartupFailure
{
    /// <summary>The exit code of a start that a mistake stopped: 2, as command-line tools report a usage error.</summary>
    public const int ExitCode = 2;

    /// <summary>What the one line starts with, so it reads as this program's in a mixed log.</summary>
    public const string Prefix = "brax-viewer: cannot start: ";

    /// <summary>The one-line description of <paramref name="exception"/> if it is a start-up mistake; null for a bug.</summary>
    public static string? Describe(Exception exception) => exception switch
    {
        StartupException mistake => mistake.Message,
        OptionsValidationException invalid => string.Join("; ", invalid.Failures.Select(failure => failure.TrimEnd('.'))),

        // Kestrel: "Failed to bind to address http://127.0.0.1:8000: address already in use."
        IOException { InnerException: AddressInUseException } bind => bind.Message.TrimEnd('.'),

        // Several hosted services or validators failed at once: a mistake only when each one is.
        AggregateException { InnerExceptions.Count: > 0 } several => DescribeAll(several.InnerExceptions),
        _ => null,
    };

    private static string? DescribeAll(IEnumerable<Exception> exceptions)
    {
        var problems = new List<string>();
        foreach (var exception in exceptions)
        {
            if (Describe(exception) is not { } problem)
            {
                return null;
            }

            problems.Add(problem);
        }

        return string.Join("; ", problems.Distinct(StringComparer.Ordinal));
    }
}
