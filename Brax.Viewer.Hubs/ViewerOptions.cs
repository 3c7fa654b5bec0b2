namespace Brax.Viewer.Hubs;

/// <summary>Limits and timings of the hubs and raw endpoints (configuration section <c>Viewer</c>).</summary>
public sealed class ViewerOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "Viewer";

    /// <summary>Largest accepted frame, in bytes. Larger raw frames are drained and ignored. Default 16 MiB.</summary>
    public long MaxFrameBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>Largest accepted control message, in bytes. Default 64 KiB.</summary>
    public int MaxControlMessageBytes { get; set; } = 64 * 1024;

    /// <summary>How often raw WebSockets are pinged. Default 15 s.</summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How long a raw WebSocket may go without answering a ping before it is closed. Default 30 s.</summary>
    public TimeSpan KeepAliveTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How many frames may wait behind the one being sent to a viewer before the oldest are skipped.
    /// Absorbs bursts, pauses of the client and several streamers at once; a viewer that stays
    /// behind skips. The waiting frames are the newest ones, shared with every other viewer, so a
    /// deeper backlog costs little memory. Default 64.
    /// </summary>
    public int MaxQueuedFramesPerViewer { get; set; } = 64;

    /// <summary>How many bytes of frames may wait for one viewer before the oldest are skipped (at least one frame always waits). Default 4 MiB.</summary>
    public long MaxQueuedBytesPerViewer { get; set; } = 4 * 1024 * 1024;

    /// <summary>How long one frame to reach a viewer before the viewer is disconnected as stalled. Default 15 s.</summary>
    public TimeSpan SendTimeout { get; set; } = TimeSpan.FromSeconds(15);

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

        if (KeepAliveInterval <= TimeSpan.Zero || KeepAliveTimeout <= TimeSpan.Zero)
        {
            yield return $"{SectionName}:{nameof(KeepAliveInterval)} and {nameof(KeepAliveTimeout)} must be positive.";
        }

        if (MaxQueuedFramesPerViewer is < 1 or > 4096 || MaxQueuedBytesPerViewer < 1)
        {
            yield return $"{SectionName}:{nameof(MaxQueuedFramesPerViewer)} must be 1 to 4096 and {nameof(MaxQueuedBytesPerViewer)} positive.";
        }

        if (SendTimeout <= TimeSpan.Zero)
        {
            yield return $"{SectionName}:{nameof(SendTimeout)} must be positive.";
        }
    }
}
