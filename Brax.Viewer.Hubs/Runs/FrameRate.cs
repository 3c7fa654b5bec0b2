namespace Brax.Viewer.Hubs.Runs;

/// <summary>
/// The frames of one run over the last <see cref="Window"/>: a ring of <see cref="SlotCount"/> slots
/// of one <see cref="SlotTicks"/> each, counting frames and bytes. Taking a frame touches one slot
/// under a lock the run's own streamers share, and allocates nothing; reading sums the slots still in
/// the window.
/// </summary>
internal sealed class FrameRate
{
    /// <summary>How far back the rate and the mean size look.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(5);

    private const int SlotCount = 50;
    private static readonly long SlotTicks = Window.Ticks / SlotCount;

    private readonly Lock _gate = new();
    private readonly long[] _slotOf = new long[SlotCount];
    private readonly int[] _frames = new int[SlotCount];
    private readonly long[] _bytes = new long[SlotCount];
    private long _lastFrameTicks;
    private long _lastFrameUnixMs;

    public FrameRate() => Array.Fill(_slotOf, -1);

    /// <summary>Set once the run is forgotten; an observer that still holds it looks it up again.</summary>
    public bool Forgotten { get; private set; }

    /// <summary>Counts a frame of <paramref name="bytes"/> seen at <paramref name="ticks"/> (a monotonic count of <see cref="TimeSpan"/> ticks) and <paramref name="unixMs"/>.</summary>
    public bool TryAdd(long ticks, long unixMs, int bytes)
    {
        var slot = ticks / SlotTicks;
        var index = (int)(slot % SlotCount);
        lock (_gate)
        {
            if (Forgotten)
            {
                return false;
            }

            // A frame timed just before another thread's newer one lands in its own slot, never resets a newer one.
            if (_slotOf[index] < slot)
            {
                _slotOf[index] = slot;
                _frames[index] = 0;
                _bytes[index] = 0;
            }

            _frames[index]++;
            _bytes[index] += bytes;
            _lastFrameTicks = Math.Max(_lastFrameTicks, ticks);
            _lastFrameUnixMs = Math.Max(_lastFrameUnixMs, unixMs);
            return true;
        }
    }

    /// <summary>Frames per second and mean bytes per frame over the window ending at <paramref name="ticks"/>, and when the newest frame came.</summary>
    public FrameStatistics Read(long ticks)
    {
        var current = ticks / SlotTicks;
        long frames = 0;
        long bytes = 0;
        lock (_gate)
        {
            for (var index = 0; index < SlotCount; index++)
            {
                if (_slotOf[index] > current - SlotCount && _slotOf[index] <= current)
                {
                    frames += _frames[index];
                    bytes += _bytes[index];
                }
            }

            return new FrameStatistics(
                frames / Window.TotalSeconds,
                frames == 0 ? 0 : (bytes + (frames / 2)) / frames,
                _lastFrameUnixMs,
                TimeSpan.FromTicks(Math.Max(0, ticks - _lastFrameTicks)));
        }
    }

    /// <summary>Marks the run forgotten when no frame came for <paramref name="idleTicks"/> before <paramref name="ticks"/>.</summary>
    public bool TryForget(long ticks, long idleTicks)
    {
        lock (_gate)
        {
            Forgotten = ticks - _lastFrameTicks >= idleTicks;
            return Forgotten;
        }
    }
}

/// <summary>What a server saw of a run's frames: rate and mean size over <see cref="FrameRate.Window"/>, and when the newest came.</summary>
/// <param name="FramesPerSecond">Frames over the window divided by its length; 0 when none.</param>
/// <param name="BytesPerFrame">Mean size of those frames in bytes, rounded; 0 when none.</param>
/// <param name="LastFrameUnixMs">Server time of the newest frame, Unix milliseconds.</param>
/// <param name="SinceLastFrame">How long ago the newest frame came, on the monotonic clock.</param>
internal readonly record struct FrameStatistics(double FramesPerSecond, long BytesPerFrame, long LastFrameUnixMs, TimeSpan SinceLastFrame);
