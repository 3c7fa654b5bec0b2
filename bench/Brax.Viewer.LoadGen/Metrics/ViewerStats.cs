using System.Diagnostics;
using Brax.Viewer.LoadGen.Frames;

namespace Brax.Viewer.LoadGen.Metrics;

/// <summary>
/// What one viewer saw inside the measurement window. Written only by that viewer's receive loop;
/// read by the runner after the window has drained.
/// </summary>
internal sealed class ViewerStats(MeasurementWindow window, ThreadLocal<LatencyHistogram> latencies)
{
    private readonly long[] _lastSeq = new long[window.Streamers];

    /// <summary>Frames of the window delivered.</summary>
    public long Delivered { get; private set; }

    /// <summary>Frames of the window jumped over: a newer frame arrived first (the latest-frame policy).</summary>
    public long Skipped { get; private set; }

    /// <summary>Frames older than one already delivered (the contract forbids them).</summary>
    public long OutOfOrder { get; private set; }

    /// <summary>Messages that carried no stamp.</summary>
    public long Unreadable { get; private set; }

    /// <summary>The newest sequence number seen from streamer <paramref name="streamer"/>.</summary>
    public long LastSeq(int streamer) => Volatile.Read(ref _lastSeq[streamer]);

    private volatile bool _stopped;

    /// <summary>Counts nothing more: the viewer has stalled and is no longer part of the figures.</summary>
    public void Stop() => _stopped = true;

    public void Record(in FrameStamp stamp)
    {
        if (_stopped)
        {
            return;
        }

        var now = Stopwatch.GetTimestamp();
        if ((uint)stamp.Streamer >= (uint)_lastSeq.Length)
        {
            Unreadable++;
            return;
        }

        var last = _lastSeq[stamp.Streamer];
        if (stamp.Seq <= last)
        {
            OutOfOrder++;
            return;
        }

        Volatile.Write(ref _lastSeq[stamp.Streamer], stamp.Seq);
        var first = window.FirstSeq(stamp.Streamer);
        if (stamp.Seq < first)
        {
            return;
        }

        Delivered++;
        Skipped += stamp.Seq - Math.Max(last + 1, first);
        latencies.Value!.Record((now - stamp.Timestamp) * 1_000_000 / Stopwatch.Frequency);
    }

    public void RecordUnreadable() => Unreadable++;
}

/// <summary>The first sequence number of each streamer that counts; none counts until the window opens.</summary>
internal sealed class MeasurementWindow(int streamers)
{
    private readonly long[] _firstSeq = Enumerable.Repeat(long.MaxValue, Math.Max(1, streamers)).ToArray();

    public int Streamers => _firstSeq.Length;

    public long FirstSeq(int streamer) => Volatile.Read(ref _firstSeq[streamer]);

    public void Open(int streamer, long firstSeq) => Volatile.Write(ref _firstSeq[streamer], firstSeq);
}
