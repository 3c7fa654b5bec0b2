using System.Collections.Concurrent;
using Brax.Viewer.Client;
using Brax.Viewer.Hubs.Fanout;

namespace Brax.Viewer.Hubs.Runs;

/// <summary>
/// The rate, mean size and newest time of each run's frames, from every frame offered to the run's
/// viewer group here (relayed ones included, so every instance knows the same). A frame costs one
/// lookup and one <see cref="FrameRate"/> slot, without allocation; a run is forgotten by
/// <see cref="IdleRunSweep"/>.
/// </summary>
internal sealed class RunFrameStatistics : IFrameObserver
{
    // Keyed by the viewer group's name, which the observer is handed: no run name is cut per frame.
    private readonly ConcurrentDictionary<string, FrameRate> _rates = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly long _origin;

    public RunFrameStatistics(TimeProvider time)
    {
        _time = time;
        _origin = time.GetTimestamp();
    }

    public void Observe(string group, Frame frame)
    {
        var ticks = Now;
        var unixMs = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var bytes = frame.Utf8Json.Length;
        while (!RateOf(group).TryAdd(ticks, unixMs, bytes))
        {
            // Forgotten between the lookup and the count: the next lookup makes it anew.
        }
    }

    /// <summary>What was seen of <paramref name="run"/>'s frames; false when none came, or so long ago that it was forgotten.</summary>
    public bool TryRead(string run, out FrameStatistics statistics)
    {
        if (_rates.TryGetValue(HubGroups.FrameViewers(run), out var rate))
        {
            statistics = rate.Read(Now);
            return true;
        }

        statistics = default;
        return false;
    }

    /// <summary>What was seen of each run's frames that is not forgotten yet.</summary>
    public Dictionary<string, FrameStatistics> ReadAll()
    {
        var now = Now;
        var all = new Dictionary<string, FrameStatistics>(StringComparer.Ordinal);
        foreach (var (group, rate) in _rates)
        {
            if (HubGroups.TryRunOfFrameViewers(group, out var run))
            {
                all[run] = rate.Read(now);
            }
        }

        return all;
    }

    /// <summary>
    /// Forgets the runs that had no frame for <paramref name="idle"/>, except those
    /// <paramref name="keep"/> names; returns the runs forgotten.
    /// </summary>
    public List<string> ForgetIdle(TimeSpan idle, Func<string, bool> keep)
    {
        var now = Now;
        var forgotten = new List<string>();
        foreach (var (group, rate) in _rates)
        {
            if (HubGroups.TryRunOfFrameViewers(group, out var run) && keep(run))
            {
                continue;
            }

            if (rate.TryForget(now, idle.Ticks))
            {
                _rates.TryRemove(new KeyValuePair<string, FrameRate>(group, rate));
                forgotten.Add(run ?? group);
            }
        }

        return forgotten;
    }

    private long Now => _time.GetElapsedTime(_origin).Ticks;

    private FrameRate RateOf(string group) =>
        _rates.TryGetValue(group, out var rate) && !rate.Forgotten
            ? rate
            : _rates.AddOrUpdate(group, static _ => new FrameRate(), static (_, existing) => existing.Forgotten ? new FrameRate() : existing);
}
