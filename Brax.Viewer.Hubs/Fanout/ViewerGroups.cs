using System.Collections.Concurrent;
using Brax.Viewer.Client;
using Brax.Viewer.Hubs.Diagnostics;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Brax.Viewer.Hubs.Fanout;

/// <summary>
/// The groups of this server (<see cref="ViewerGroup"/>: viewers and newest frames), and the watch
/// that disconnects viewers stalled longer than <see cref="FanoutOptions.SendTimeout"/> and forgets
/// groups idle for <see cref="FanoutOptions.IdleRunTimeout"/>. Offering a frame takes a snapshot
/// of the member arrays and walks them without allocation; joins and leaves copy the arrays. The
/// writes of one frame are spread over one <see cref="FanoutLane"/> per core: each group keeps one
/// member array per lane, the publishing thread serves lane 0 itself and posts the frame to the
/// other lanes that have members.
/// </summary>
internal sealed partial class ViewerGroups : IViewerCounts, IDisposable
{
    private readonly ConcurrentDictionary<string, ViewerGroup> _groups = new(StringComparer.Ordinal);
    private readonly Lock _membership = new();
    private readonly HubDiagnostics _diagnostics;
    private readonly ViewerMetrics _metrics;
    private readonly ILogger<ViewerGroups> _logger;
    private readonly long _sendTimeoutMs;
    private readonly long _idleGroupMs;
    private readonly ITimer _stallWatch;
    private readonly IFrameObserver[] _observers;
    private readonly FanoutLane[] _lanes = Enumerable.Range(1, Math.Max(0, Environment.ProcessorCount - 1)).Select(index => new FanoutLane(index)).ToArray();
    private int _nextLane;

    public ViewerGroups(IOptions<FanoutOptions> options, HubDiagnostics diagnostics, ViewerMetrics metrics, ILogger<ViewerGroups> logger, TimeProvider time, IEnumerable<IFrameObserver>? observers = null)
    {
        _observers = observers is null ? [] : [.. observers];
        _diagnostics = diagnostics;
        _metrics = metrics;
        _logger = logger;
        var timeout = options.Value.SendTimeout;
        _sendTimeoutMs = (long)timeout.TotalMilliseconds;
        _idleGroupMs = (long)options.Value.IdleRunTimeout.TotalMilliseconds;

        // Four passes per timeout: a stalled viewer goes within 1.25 timeouts, and a pass over
        // thousands of idle viewers runs every few seconds, not every second.
        var period = TimeSpan.FromTicks(Math.Max(timeout.Ticks / 4, TimeSpan.TicksPerMillisecond * 50));
        _stallWatch = time.CreateTimer(_ => Sweep(), null, period, period);
    }

    /// <summary>Raised with a group whose number of viewers on this server changed.</summary>
    public event Action<string>? MembershipChanged;

    // One server: the viewers here are all the viewers.
    event Action<string>? IViewerCounts.Changed
    {
        add => MembershipChanged += value;
        remove => MembershipChanged -= value;
    }

    ValueTask<int> IViewerCounts.CountAsync(string group, CancellationToken cancellationToken) => ValueTask.FromResult(CountOf(group));

    /// <summary>The newest frame of each environment sent to <paramref name="group"/> that this server has seen.</summary>
    public IReadOnlyList<Frame> Newest(string group) => _groups.TryGetValue(group, out var members) ? members.NewestFrames() : [];

    /// <summary>The groups with at least one viewer on this server.</summary>
    public IEnumerable<string> ViewedGroups => _groups.Where(group => group.Value.MemberCount > 0).Select(group => group.Key);

    /// <summary>Viewers of <paramref name="group"/> on this server.</summary>
    public int CountOf(string group) => _groups.TryGetValue(group, out var members) ? members.MemberCount : 0;

    /// <summary>
    /// Adds <paramref name="viewer"/> to <paramref name="group"/> and primes it with the newest frame
    /// of each environment sent to the group; returns whether there were any.
    /// </summary>
    public bool Join(string group, ViewerMailbox viewer)
    {
        var primed = false;
        lock (_membership)
        {
            if (viewer.Groups.Contains(group))
            {
                return false;
            }

            if (viewer.Lane < 0)
            {
                viewer.Lane = _nextLane++ % (_lanes.Length + 1);
            }

            viewer.Groups.Add(group);
            ViewerGroup members;
            do
            {
                members = GroupOf(group);
            }
            while (!members.TryJoin(viewer));

            primed = viewer.HasBacklog;
            _diagnostics.MembershipAdded(newGroup: members.MemberCount == 1);
        }

        viewer.Kick();
        MembershipChanged?.Invoke(group);
        return primed;
    }

    /// <summary>
    /// Primes a viewer that joined a group this server had no frames of with frames from a shared
    /// store, unless a frame reached the group since it joined (that one is newer).
    /// </summary>
    public void Prime(string group, ViewerMailbox viewer, IEnumerable<(SerializedHubMessage Message, BacklogTag Tag)> frames)
    {
        if (_groups.TryGetValue(group, out var members))
        {
            members.PrimeIfNothingNewer(viewer, frames);
            viewer.Kick();
        }
    }

    public void Leave(string group, ViewerMailbox viewer)
    {
        lock (_membership)
        {
            if (!viewer.Groups.Remove(group))
            {
                return;
            }

            RemoveMember(group, viewer);
        }

        MembershipChanged?.Invoke(group);
    }

    public void LeaveAll(ViewerMailbox viewer)
    {
        string[] left;
        lock (_membership)
        {
            left = [.. viewer.Groups];
            foreach (var group in left)
            {
                RemoveMember(group, viewer);
            }

            viewer.Groups.Clear();
        }

        foreach (var group in left)
        {
            MembershipChanged?.Invoke(group);
        }
    }

    /// <summary>Offers <paramref name="frame"/> to every viewer of <paramref name="group"/> on this server, and keeps it as the newest of its environment.</summary>
    public void Offer(string group, SerializedHubMessage frame, BacklogTag tag, IReadOnlyList<string>? excludedConnectionIds = null)
    {
        ViewerMailbox[][] lanes;
        var members = GroupOf(group);
        while (true)
        {
            lanes = members.Publish(frame, tag);
            if (!members.Forgotten)
            {
                break;
            }

            members = GroupOf(group);
        }

        if (_observers.Length != 0 && tag.IsFrame && frame.Message is InvocationMessage { Arguments: [Frame observed] })
        {
            foreach (var observer in _observers)
            {
                observer.Observe(group, observed);
            }
        }

        foreach (var lane in _lanes)
        {
            if (lanes[lane.Index].Length != 0)
            {
                lane.Post(new Delivery(lanes[lane.Index], frame, tag, excludedConnectionIds));
            }
        }

        if (lanes[0].Length != 0)
        {
            new Delivery(lanes[0], frame, tag, excludedConnectionIds).Offer();
        }
    }

    public void Dispose() => _stallWatch.Dispose();

    private ViewerGroup GroupOf(string group) =>
        _groups.TryGetValue(group, out var members) && !members.Forgotten
            ? members
            : _groups.AddOrUpdate(group, static (_, lanes) => new ViewerGroup(lanes), static (_, existing, lanes) => existing.Forgotten ? new ViewerGroup(lanes) : existing, _lanes.Length + 1);

    private void RemoveMember(string group, ViewerMailbox viewer)
    {
        if (_groups.TryGetValue(group, out var members))
        {
            members.Leave(viewer);
            _diagnostics.MembershipRemoved(groupGone: members.MemberCount == 0);
        }
    }

    private void Sweep()
    {
        var now = Environment.TickCount64;
        foreach (var (name, members) in _groups)
        {
            foreach (var viewer in members.Members)
            {
                if (viewer.IsStalled(now, _sendTimeoutMs) && viewer.TryMarkEvicted())
                {
                    Log.StalledViewerEvicted(_logger, viewer.Connection.ConnectionId, _sendTimeoutMs);
                    _diagnostics.ViewerEvicted();
                    _metrics.ViewerEvicted();
                    viewer.Connection.Abort();
                }
            }

            // Under the membership lock, so no viewer joins the group while it goes.
            lock (_membership)
            {
                if (members.TryForget(now, _idleGroupMs))
                {
                    _groups.TryRemove(new KeyValuePair<string, ViewerGroup>(name, members));
                }
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.StalledViewerEvicted, EventName = nameof(EventIds.StalledViewerEvicted), Level = LogLevel.Information, Message = "Viewer {ConnectionId} disconnected: one frame took longer than {SendTimeoutMs} ms to send.")]
        public static partial void StalledViewerEvicted(ILogger logger, string connectionId, long sendTimeoutMs);
    }
}
