using System.Collections.Concurrent;
using Brax.Viewer.Hubs.Diagnostics;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Brax.Viewer.Hubs.Fanout;

/// <summary>
/// The viewers of each group on this server, and the watch that disconnects viewers stalled
/// longer than <see cref="FanoutOptions.SendTimeout"/>. Offering a frame walks a member array
/// without locks or allocation; joins and leaves copy the array under a lock. The writes of one
/// frame are spread over one <see cref="FanoutLane"/> per core: each group keeps one member array
/// per lane, the publishing thread serves lane 0 itself and posts the frame to the other lanes
/// that have members.
/// </summary>
internal sealed partial class ViewerGroups : IDisposable
{
    // Per group, one member array per lane (index = lane).
    private readonly ConcurrentDictionary<string, ViewerMailbox[][]> _groups = new(StringComparer.Ordinal);
    private readonly Lock _membership = new();
    private readonly HubDiagnostics _diagnostics;
    private readonly ViewerMetrics _metrics;
    private readonly ILogger<ViewerGroups> _logger;
    private readonly long _sendTimeoutMs;
    private readonly ITimer _stallWatch;
    private readonly FanoutLane[] _lanes = Enumerable.Range(1, Math.Max(0, Environment.ProcessorCount - 1)).Select(index => new FanoutLane(index)).ToArray();
    private int _nextLane;

    public ViewerGroups(IOptions<FanoutOptions> options, HubDiagnostics diagnostics, ViewerMetrics metrics, ILogger<ViewerGroups> logger, TimeProvider time)
    {
        _diagnostics = diagnostics;
        _metrics = metrics;
        _logger = logger;
        var timeout = options.Value.SendTimeout;
        _sendTimeoutMs = (long)timeout.TotalMilliseconds;
        // Four passes per timeout: a stalled viewer goes within 1.25 timeouts, and a pass over
        // thousands of idle viewers runs every few seconds, not every second.
        var period = TimeSpan.FromTicks(Math.Max(timeout.Ticks / 4, TimeSpan.TicksPerMillisecond * 50));
        _stallWatch = time.CreateTimer(_ => EvictStalled(), null, period, period);
    }

    public void Join(string group, ViewerMailbox viewer)
    {
        lock (_membership)
        {
            if (viewer.Groups.Contains(group))
            {
                return;
            }

            if (viewer.Lane < 0)
            {
                viewer.Lane = _nextLane++ % (_lanes.Length + 1);
            }

            viewer.Groups.Add(group);
            var existed = _groups.TryGetValue(group, out var current);
            var lanes = existed ? (ViewerMailbox[][])current!.Clone() : NoMembers();
            lanes[viewer.Lane] = [.. lanes[viewer.Lane], viewer];
            _groups[group] = lanes;
            _diagnostics.MembershipAdded(newGroup: !existed);
        }
    }

    public void Leave(string group, ViewerMailbox viewer)
    {
        lock (_membership)
        {
            if (viewer.Groups.Remove(group))
            {
                RemoveMember(group, viewer);
            }
        }
    }

    public void LeaveAll(ViewerMailbox viewer)
    {
        lock (_membership)
        {
            foreach (var group in viewer.Groups)
            {
                RemoveMember(group, viewer);
            }

            viewer.Groups.Clear();
        }
    }

    /// <summary>Offers <paramref name="frame"/> to every viewer of <paramref name="group"/> on this server.</summary>
    public void Offer(string group, SerializedHubMessage frame, BacklogTag tag, IReadOnlyList<string>? excludedConnectionIds = null)
    {
        if (!_groups.TryGetValue(group, out var lanes))
        {
            return;
        }

        foreach (var lane in _lanes)
        {
            if (lanes[lane.Index].Length != 0)
            {
                lane.Post(new Delivery(lanes[lane.Index], frame, tag, excludedConnectionIds));
            }
        }

        new Delivery(lanes[0], frame, tag, excludedConnectionIds).Offer();
    }

    public void Dispose() => _stallWatch.Dispose();

    private void RemoveMember(string group, ViewerMailbox viewer)
    {
        if (!_groups.TryGetValue(group, out var current))
        {
            return;
        }

        var lanes = (ViewerMailbox[][])current.Clone();
        lanes[viewer.Lane] = Array.FindAll(lanes[viewer.Lane], member => member != viewer);
        var groupGone = Array.TrueForAll(lanes, members => members.Length == 0);
        if (groupGone)
        {
            _groups.TryRemove(group, out _);
        }
        else
        {
            _groups[group] = lanes;
        }

        _diagnostics.MembershipRemoved(groupGone);
    }

    private ViewerMailbox[][] NoMembers() => Enumerable.Repeat(Array.Empty<ViewerMailbox>(), _lanes.Length + 1).ToArray();

    private void EvictStalled()
    {
        var now = Environment.TickCount64;
        foreach (var viewer in _groups.Values.SelectMany(lanes => lanes).SelectMany(members => members))
        {
            if (viewer.IsStalled(now, _sendTimeoutMs) && viewer.TryMarkEvicted())
            {
                Log.StalledViewerEvicted(_logger, viewer.Connection.ConnectionId, _sendTimeoutMs);
                _diagnostics.ViewerEvicted();
                _metrics.ViewerEvicted();
                viewer.Connection.Abort();
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.StalledViewerEvicted, EventName = nameof(EventIds.StalledViewerEvicted), Level = LogLevel.Information, Message = "Viewer {ConnectionId} disconnected: one frame took longer than {SendTimeoutMs} ms to send.")]
        public static partial void StalledViewerEvicted(ILogger logger, string connectionId, long sendTimeoutMs);
    }
}
