namespace Brax.Viewer.Server.Startup;

/// <summary>
/// The server cannot start as it was told to: a mistake in the command line, the configuration or
/// a file it names. The message names the mistake in one line, for the person who made it.
/// </summary>
public sealed class StartupException : InvalidOperationException
{
    /// <summary>A start-up mistake described by <paramref name="message"/>.</summary>
    public StartupException(string message)
        : base(message)
    {
    }

    /// <summary>A start-up mistake described by <paramref name="message"/>, found through <paramref name="innerException"/>.</summary>
    public StartupException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Needed by the exception pattern; use a constructor with a message.</summary>
    public StartupException()
    {
    }
}
