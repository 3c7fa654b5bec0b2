using Brax.Viewer.Hubs.Fanout;

namespace Brax.Viewer.Hubs.Runs;

/// <summary>
/// The frame viewers and streamers of each run on this server: the viewers are the members of the
/// run's viewer group, the streamers the frame hub's tally. With one server these are all there are.
/// </summary>
internal sealed class LocalRunClientCounts : IRunClientCounts
{
    private readonly ViewerGroups _viewers;
    private readonly StreamerConnections _streamers;

    public LocalRunClientCounts(ViewerGroups viewers, StreamerConnections streamers)
    {
        _viewers = viewers;
        _streamers = streamers;
        viewers.MembershipChanged += group =>
        {
            if (HubGroups.TryRunOfFrameViewers(group, out var run))
            {
                Changed?.Invoke(run);
            }
        };
        streamers.Changed += run => Changed?.Invoke(run);
    }

    /// <summary>Raised with a run whose viewers or streamers on this server changed.</summary>
    public event Action<string>? Changed;

    /// <summary>Viewers and streamers of <paramref name="run"/> on this server.</summary>
    public RunClientCount CountOf(string run) => new(_viewers.CountOf(HubGroups.FrameViewers(run)), _streamers.CountOf(run));

    /// <summary>Every run with a viewer or a streamer on this server, and how many of each.</summary>
    public Dictionary<string, RunClientCount> CountAll()
    {
        var counts = new Dictionary<string, RunClientCount>(StringComparer.Ordinal);
        foreach (var group in _viewers.ViewedGroups)
        {
            if (HubGroups.TryRunOfFrameViewers(group, out var run))
            {
                counts[run] = CountOf(run);
            }
        }

        foreach (var run in _streamers.Runs)
        {
            counts[run] = CountOf(run);
        }

        // Counted between a look at the groups and a look at the count: a run may have emptied meanwhile.
        foreach (var (run, count) in counts)
        {
            if (count.IsEmpty)
            {
                counts.Remove(run);
            }
        }

        return counts;
    }

    ValueTask<IReadOnlyDictionary<string, RunClientCount>> IRunClientCounts.CountAllAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyDictionary<string, RunClientCount>>(CountAll());
}
