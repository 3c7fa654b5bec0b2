namespace Brax.Viewer.Hubs;

/// <summary>Message limits of the hubs and the keep-alive of raw WebSockets (configuration section <c>Viewer</c>).</summary>
public sealed class ViewerOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "Viewer";

    /// <summary>
    /// WebSocket and SignalR connections (raw and hub endpoints together) the server holds at once;
    /// more get 503 before the upgrade. 0 turns the limit off. Default 10,000.
    /// </summary>
    public int MaxConnections { get; set; } = 10_000;

    /// <summary>Largest accepted frame, in bytes. Larger raw frames are drained and ignored. Default 16 MiB.</summary>
    public long MaxFrameBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>Largest accepted control message, in bytes. Default 64 KiB.</summary>
    public int MaxControlMessageBytes { get; set; } = 64 * 1024;

    /// <summary>
    /// Toggles one control connection (raw or SignalR) may send per second; more are dropped. Each
    /// toggle is told to every control client of the run, so this bounds what one client can make the
    /// server send. 0 turns the limit off. Default 20.
    /// </summary>
    public int MaxControlMessagesPerSecond { get; set; } = 20;

    /// <summary>How often raw WebSockets are pinged. Default 15 s.</summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How long a raw WebSocket may go without answering a ping before it is closed. Default 30 s.</summary>
    public TimeSpan KeepAliveTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Whether frames for raw viewers are written straight to the connection's TCP socket, one
    /// gather send from the frame's shared array, instead of being copied through Kestrel's output.
    /// Only on plain HTTP/1.1 connections (never under TLS or HTTP/2), and only once the client has
    /// answered a ping, which proves that nothing Kestrel holds can be overtaken. Default true.
    /// </summary>
    public bool DirectSocketWrites { get; set; } = true;

    /// <summary>
    /// How long the server takes at most to stop: raw sockets are closed with 1001 and get half of it
    /// to answer, SignalR connections are told to close, then whatever is left is cut off. Default 5 s.
    /// </summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(5);

    internal IEnumerable<string> Validate()
    {
        if (MaxFrameBytes is < 1024 or > int.MaxValue - (1024 * 1024))
        {
            yield return $"{SectionName}:{nameof(MaxFrameBytes)} must be between 1 KiB and 2 GiB (is {MaxFrameBytes}).";
        }

        if (MaxControlMessageBytes < 64)
        {
            yield return $"{SectionName}:{nameof(MaxControlMessageBytes)} must be at least 64 (is {MaxControlMessageBytes}).";
        }

        if (MaxConnections < 0)
        {
            yield return $"{SectionName}:{nameof(MaxConnections)} must be 0 (no limit) or more (is {MaxConnections}).";
        }

        if (MaxControlMessagesPerSecond < 0)
        {
            yield return $"{SectionName}:{nameof(MaxControlMessagesPerSecond)} must be 0 (no limit) or more (is {MaxControlMessagesPerSecond}).";
        }

        if (KeepAliveInterval <= TimeSpan.Zero || KeepAliveTimeout <= TimeSpan.Zero)
        {
            yield return $"{SectionName}:{nameof(KeepAliveInterval)} and {nameof(KeepAliveTimeout)} must be positive.";
        }

        if (ShutdownTimeout <= TimeSpan.Zero)
        {
            yield return $"{SectionName}:{nameof(ShutdownTimeout)} must be positive.";
        }
    }
}
