namespace Brax.Viewer.Client;

/// <summary>Runs: several training runs can share one server, each with its own viewers, streamers and toggle.</summary>
public static class RunContract
{
    /// <summary>Query parameter naming the run, on every endpoint.</summary>
    public const string Query = "run";

    /// <summary>The run a connection belongs to when it names none.</summary>
    public const string DefaultRun = "default";

    /// <summary>Longest accepted run name.</summary>
    public const int MaxLength = 64;

    /// <summary>
    /// The run a request names: <paramref name="requested"/>, or <see cref="DefaultRun"/> when it is
    /// empty. False, with the reason, for a name that is not valid.
    /// </summary>
    public static bool TryResolve(string? requested, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? run, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? error)
    {
        run = string.IsNullOrEmpty(requested) ? DefaultRun : requested;
        if (IsValidName(run))
        {
            error = null;
            return true;
        }

        (run, error) = (null, $"'{Query}' must be 1 to {MaxLength} of A-Z a-z 0-9 _ - .");
        return false;
    }

    /// <summary>Whether <paramref name="name"/> is a valid run name: 1 to 64 of <c>A-Z a-z 0-9 _ - .</c>.</summary>
    public static bool IsValidName(ReadOnlySpan<char> name)
    {
        if (name.IsEmpty || name.Length > MaxLength)
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'))
            {
                return false;
            }
        }

        return true;
    }
}
