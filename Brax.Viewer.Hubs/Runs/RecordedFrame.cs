using Brax.Viewer.Client;

namespace Brax.Viewer.Hubs.Runs;

/// <summary>A frame of a run's history: the frame as it arrived, and when.</summary>
/// <param name="TimeMs">When the frame reached this server, in milliseconds since the Unix epoch (the server's clock).</param>
/// <param name="Frame">The frame itself, the same object (and bytes) the viewers were sent.</param>
public readonly record struct RecordedFrame(long TimeMs, Frame Frame);
