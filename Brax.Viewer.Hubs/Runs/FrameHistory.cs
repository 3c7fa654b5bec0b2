using System.Runtime.InteropServices;
using Brax.Viewer.Client;
using Brax.Viewer.Hubs.Diagnostics;
using Brax.Viewer.Hubs.Fanout;
using Microsoft.Extensions.Options;

namespace Brax.Viewer.Hubs.Runs;

/// <summary>
/// The recent frames of every run on this server: each frame offered to a run's viewers, local or
/// relayed from another instance, kept as the very <see cref="Frame"/> the viewers were sent (its
/// bytes are shared, never copied) with the time it arrived. Bounded by
/// <see cref="HistoryOptions.HistoryWindow"/> on the server's clock and by
/// <see cref="HistoryOptions.HistoryMaxBytes"/> across all runs.
/// </summary>
/// <remarks>
/// All runs share one ring of frames in order of arrival, so the oldest frame of any run is always
/// at its head: dropping for time or for bytes is O(1) per frame and drops the oldest first, and a
/// new frame costs one append. The ring doubles when full and halves on the sweep when mostly
/// empty, so in steady state keeping a frame allocates nothing. A run is known only while it holds
/// frames. Reading a run walks the ring from the first frame of the time range; it runs under the
/// same lock as keeping, which is fine for an HTTP request but not per frame.
/// </remarks>
public sealed class FrameHistory : IFrameObserver, IDisposable
{
    private const int SmallestRing = 64;

    private readonly Lock _gate = new();

    // Keyed by the run's viewer group, the name frames arrive with, so keeping a frame builds no string.
    private readonly Dictionary<string, RunTally> _runs = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly long _windowMs;
    private readonly long _maxBytes;
    private readonly ITimer? _sweep;
    private Entry[] _ring = [];
    private int _head;
    private int _count;
    private long _bytes;
    private long _newestMs;

    /// <summary>Creates the history; a timer drops expired frames while no frame arrives.</summary>
    public FrameHistory(IOptions<HistoryOptions> options, TimeProvider time, ViewerMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(metrics);
        _time = time;
        IsEnabled = options.Value.IsHistoryEnabled;
        Window = options.Value.HistoryWindow;
        _windowMs = (long)Window.TotalMilliseconds;
        _maxBytes = options.Value.HistoryMaxBytes;
        metrics.ObserveHistory(() => Volatile.Read(ref _bytes), () => Volatile.Read(ref _count));
        if (IsEnabled)
        {
            // A quarter of the window, within 50 ms and 1 s: an idle run drains soon after its window.
            var period = TimeSpan.FromTicks(Math.Clamp(Window.Ticks / 4, TimeSpan.TicksPerMillisecond * 50, TimeSpan.TicksPerSecond));
            _sweep = time.CreateTimer(_ => Sweep(), null, period, period);
        }
    }

    /// <summary>Whether frames are kept at all (neither bound is 0).</summary>
    public bool IsEnabled { get; }

    /// <summary>How far back a run's history reaches.</summary>
    public TimeSpan Window { get; }

    /// <summary>What the histories of all runs hold together; never more than <see cref="HistoryOptions.HistoryMaxBytes"/> bytes.</summary>
    public FrameHistorySize Size
    {
        get
        {
            lock (_gate)
            {
                return new FrameHistorySize(_count, _bytes);
            }
        }
    }

    /// <summary>The runs whose history holds frames.</summary>
    public IReadOnlyList<string> Runs
    {
        get
        {
            lock (_gate)
            {
                DropOlderThan(_time.GetUtcNow().ToUnixTimeMilliseconds() - _windowMs);
                var runs = new List<string>(_runs.Count);
                foreach (var group in _runs.Keys)
                {
                    if (HubGroups.TryRunOfFrameViewers(group, out var run))
                    {
                        runs.Add(run);
                    }
                }

                return runs;
            }
        }
    }

    /// <summary>What <paramref name="run"/>'s history holds (nothing for a run this server has no recent frames of).</summary>
    public FrameHistorySize SizeOf(string run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var group = HubGroups.FrameViewers(run);
        lock (_gate)
        {
            DropOlderThan(_time.GetUtcNow().ToUnixTimeMilliseconds() - _windowMs);
            return _runs.TryGetValue(group, out var tally) ? new FrameHistorySize(tally.Frames, tally.Bytes) : default;
        }
    }

    /// <summary>
    /// The frames of <paramref name="run"/>'s history, oldest first, that arrived from
    /// <paramref name="fromMs"/> to <paramref name="toMs"/> (server time in Unix milliseconds, both
    /// inclusive, either open when null). Empty for a run without history.
    /// </summary>
    public IReadOnlyList<RecordedFrame> Read(string run, long? fromMs = null, long? toMs = null)
    {
        ArgumentNullException.ThrowIfNull(run);
        var group = HubGroups.FrameViewers(run);
        var from = fromMs ?? long.MinValue;
        var to = toMs ?? long.MaxValue;
        lock (_gate)
        {
            DropOlderThan(_time.GetUtcNow().ToUnixTimeMilliseconds() - _windowMs);
            if (from > to || !_runs.TryGetValue(group, out var tally))
            {
                return [];
            }

            var frames = new List<RecordedFrame>(Math.Min(tally.Frames, 4096));
            for (var i = FirstAtOrAfter(from); i < _count; i++)
            {
                ref readonly var entry = ref At(i);
                if (entry.TimeMs > to)
                {
                    break;
                }

                if (entry.Run == tally)
                {
                    frames.Add(new RecordedFrame(entry.TimeMs, entry.Frame));
                }
            }

            return frames;
        }
    }

    /// <summary>Keeps a frame offered to a run's viewers; other groups' messages are not frames of a run.</summary>
    void IFrameObserver.Observe(string group, Frame frame)
    {
        var bytes = frame.Utf8Json.Length;

        // A frame larger than the whole bound cannot be kept; it does not empty the history either.
        if (!IsEnabled || bytes > _maxBytes || !HubGroups.IsFrameViewers(group))
        {
            return;
        }

        lock (_gate)
        {
            // Never earlier than the frame before, so the ring stays in time order if the clock steps back.
            var now = Math.Max(_time.GetUtcNow().ToUnixTimeMilliseconds(), _newestMs);
            _newestMs = now;
            DropOlderThan(now - _windowMs);
            while (_bytes + bytes > _maxBytes)
            {
                DropOldest();
            }

            ref var tally = ref CollectionsMarshal.GetValueRefOrAddDefault(_runs, group, out _);
            tally ??= new RunTally(group);
            if (_count == _ring.Length)
            {
                Resize(Math.Max(SmallestRing, _ring.Length * 2));
            }

            var tail = _head + _count;
            _ring[tail >= _ring.Length ? tail - _ring.Length : tail] = new Entry(tally, now, frame);
            _count++;
            _bytes += bytes;
            tally.Frames++;
            tally.Bytes += bytes;
        }
    }

    /// <summary>Stops the sweep.</summary>
    public void Dispose() => _sweep?.Dispose();

    private void Sweep()
    {
        lock (_gate)
        {
            DropOlderThan(_time.GetUtcNow().ToUnixTimeMilliseconds() - _windowMs);

            // Give back what a burst made the ring grow to: an empty history holds no array at all.
            if (_count == 0)
            {
                _ring = [];
                _head = 0;
            }
            else if (_ring.Length > SmallestRing && _count <= _ring.Length / 4)
            {
                Resize(Math.Max(SmallestRing, _ring.Length / 2));
            }
        }
    }

    private void DropOlderThan(long oldestKeptMs)
    {
        while (_count != 0 && _ring[_head].TimeMs < oldestKeptMs)
        {
            DropOldest();
        }
    }

    private void DropOldest()
    {
        ref var oldest = ref _ring[_head];
        var bytes = oldest.Frame.Utf8Json.Length;
        var tally = oldest.Run;
        _bytes -= bytes;
        tally.Bytes -= bytes;
        if (--tally.Frames == 0)
        {
            _runs.Remove(tally.Group);
        }

        // Let go of the frame: the ring must not keep what the history dropped.
        oldest = default;
        _head = _head + 1 == _ring.Length ? 0 : _head + 1;
        _count--;
    }

    // Binary search over the ring, which is in time order.
    private int FirstAtOrAfter(long timeMs)
    {
        var low = 0;
        var high = _count;
        while (low < high)
        {
            var middle = low + ((high - low) / 2);
            if (At(middle).TimeMs < timeMs)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }

    private ref readonly Entry At(int index)
    {
        var slot = _head + index;
        return ref _ring[slot >= _ring.Length ? slot - _ring.Length : slot];
    }

    private void Resize(int capacity)
    {
        var ring = new Entry[capacity];
        for (var i = 0; i < _count; i++)
        {
            ring[i] = At(i);
        }

        _ring = ring;
        _head = 0;
    }

    private readonly record struct Entry(RunTally Run, long TimeMs, Frame Frame);

    /// <summary>A run's share of the ring; it exists while the run holds frames.</summary>
    private sealed class RunTally(string group)
    {
        public string Group { get; } = group;

        public int Frames { get; set; }

        public long Bytes { get; set; }
    }
}
