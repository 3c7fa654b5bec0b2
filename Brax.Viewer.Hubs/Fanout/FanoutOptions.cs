namespace Brax.Viewer.Hubs.Fanout;

/// <summary>How frames are delivered to each viewer (configuration section <c>Viewer</c>).</summary>
public sealed class FanoutOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "Viewer";

    /// <summary>
    /// How many frames may wait behind the one being sent to a viewer before the oldest are skipped.
    /// Absorbs bursts, pauses of the client and several streamers at once; a viewer that stays
    /// behind skips. The waiting frames are the newest ones, shared with every other viewer, so a
    /// deeper backlog costs little memory. Default 64.
    /// </summary>
    public int MaxQueuedFramesPerViewer { get; set; } = 64;

    /// <summary>How many bytes of frames may wait for one viewer before the oldest are skipped (at least one frame always waits). Default 4 MiB.</summary>
    public long MaxQueuedBytesPerViewer { get; set; } = 4 * 1024 * 1024;

    /// <summary>How long one frame may take to reach a viewer before the viewer is disconnected as stalled. Default 15 s.</summary>
    public TimeSpan SendTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How long a run keeps the newest frame of each environment for viewers that join late once it
    /// has no viewers here and gets no frames. Default 10 minutes.
    /// </summary>
    public TimeSpan IdleRunTimeout { get; set; } = TimeSpan.FromMinutes(10);

    internal IEnumerable<string> Validate()
    {
        if (MaxQueuedFramesPerViewer is < 1 or > 4096 || MaxQueuedBytesPerViewer < 1)
        {
            yield return $"{SectionName}:{nameof(MaxQueuedFramesPerViewer)} must be 1 to 4096 and {nameof(MaxQueuedBytesPerViewer)} positive.";
        }

        if (SendTimeout <= TimeSpan.Zero || IdleRunTimeout <= TimeSpan.Zero)
        {
            yield return $"{SectionName}:{nameof(SendTimeout)} and {nameof(IdleRunTimeout)} must be positive.";
        }
    }
}
