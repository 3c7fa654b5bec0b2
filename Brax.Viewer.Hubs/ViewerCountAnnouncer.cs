using System.Collections.Concurrent;
using Brax.Viewer.Client;
using Brax.Viewer.Hubs.Fanout;
using Microsoft.AspNetCore.SignalR;

namespace Brax.Viewer.Hubs;

/// <summary>
/// Tells the control clients of a run how many viewers it has whenever that number changes, at most
/// once per <see cref="Period"/> per run: a page opening or a hundred viewers leaving at once is one
/// message, not one per viewer. A trainer uses it to stop rendering when nobody watches.
/// </summary>
internal sealed class ViewerCountAnnouncer : PeriodicPasses
{
    /// <summary>How often changed counts are told.</summary>
    public static readonly TimeSpan Period = TimeSpan.FromMilliseconds(250);

    private readonly IViewerCounts _counts;
    private readonly IHubContext<ControlHub> _control;
    private readonly ConcurrentDictionary<string, byte> _changed = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _told = new(StringComparer.Ordinal);

    public ViewerCountAnnouncer(IViewerCounts counts, IHubContext<ControlHub> control, TimeProvider time)
        : base(time)
    {
        _counts = counts;
        _control = control;
        counts.Changed += group => _changed.TryAdd(group, 0);
    }

    protected override TimeSpan Interval => Period;

    // One pass at a time (PeriodicPasses): a slow count (Redis) must not let passes overlap and tell counts out of order.
    protected override async Task PassOnceAsync()
    {
        foreach (var group in _changed.Keys)
        {
            _changed.TryRemove(group, out _);
            if (!HubGroups.TryRunOfFrameViewers(group, out var run))
            {
                continue;
            }

            var count = await _counts.CountAsync(group);
            if (_told.TryGetValue(run, out var told) ? told == count : count == 0)
            {
                continue;
            }

            if (count == 0)
            {
                _told.Remove(run);
            }
            else
            {
                _told[run] = count;
            }

            await _control.Clients.Group(HubGroups.Control(run)).SendAsync(ControlHubContract.ViewerCount, count);
        }
    }
}
