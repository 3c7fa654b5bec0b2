namespace Brax.Viewer.Hubs.Runs;

/// <summary>What reading a recording gave: its frames, or why it cannot be replayed.</summary>
public sealed class RecordingReadResult
{
    private RecordingReadResult(IReadOnlyList<RecordedFrame>? frames, string? error, bool tooLarge)
    {
        Frames = frames;
        Error = error;
        TooLarge = tooLarge;
    }

    /// <summary>The recording's frames, in order; null when it was refused.</summary>
    public IReadOnlyList<RecordedFrame>? Frames { get; }

    /// <summary>Why the recording was refused (naming the line), or null.</summary>
    public string? Error { get; }

    /// <summary>Whether it was refused for being larger than the limit.</summary>
    public bool TooLarge { get; }

    internal static RecordingReadResult Read(IReadOnlyList<RecordedFrame> frames) => new(frames, null, false);

    internal static RecordingReadResult Refused(string error) => new(null, error, false);

    internal static RecordingReadResult OverLimit(long maxBytes) => new(null, $"the recording is larger than the limit of {maxBytes} bytes", true);
}
