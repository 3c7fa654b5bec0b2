using Brax.Viewer.Client;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace Brax.Viewer.Hubs.Fanout;

/// <summary>
/// One group on this server: its viewers, one member array per <see cref="FanoutLane"/>, and the
/// newest frame of each environment sent to it, so a viewer that joins late is shown the current
/// pose at once. One lock orders a frame's publication against a join: a frame published before a
/// viewer joins is among the newest frames the viewer is primed with, one published after goes to
/// the viewer live, behind them. Reading the members to offer a frame takes the lock only for the
/// snapshot; the offers run outside it.
/// </summary>
internal sealed class ViewerGroup(int laneCount)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<int, (SerializedHubMessage Message, BacklogTag Tag)> _newest = [];
    private ViewerMailbox[][] _lanes = Enumerable.Repeat(Array.Empty<ViewerMailbox>(), laneCount).ToArray();
    private long _lastActivity = Environment.TickCount64;

    /// <summary>Viewers of this group on this server.</summary>
    public int MemberCount { get; private set; }

    /// <summary>Set once the group is forgotten; a publisher that still holds it looks it up again.</summary>
    public bool Forgotten { get; private set; }

    /// <summary>Notes a message as newest of its environment (frames only) and returns the members to offer it to.</summary>
    public ViewerMailbox[][] Publish(SerializedHubMessage message, BacklogTag tag)
    {
        lock (_gate)
        {
            if (tag.IsFrame)
            {
                _newest[tag.Env] = (message, tag);
                _lastActivity = Environment.TickCount64;
            }

            return _lanes;
        }
    }

    /// <summary>Adds a viewer and primes it with the newest frames; false when the group was forgotten meanwhile.</summary>
    public bool TryJoin(ViewerMailbox viewer)
    {
        lock (_gate)
        {
            if (Forgotten)
            {
                return false;
            }

            var lanes = (ViewerMailbox[][])_lanes.Clone();
            lanes[viewer.Lane] = [.. lanes[viewer.Lane], viewer];
            _lanes = lanes;
            MemberCount++;
            foreach (var (message, tag) in _newest.Values)
            {
                viewer.Prime(message, tag);
            }

            return true;
        }
    }

    /// <summary>Primes a viewer that just joined with frames from a shared store, unless frames reached this group since.</summary>
    public void PrimeIfNothingNewer(ViewerMailbox viewer, IEnumerable<(SerializedHubMessage Message, BacklogTag Tag)> frames)
    {
        lock (_gate)
        {
            if (_newest.Count == 0)
            {
                foreach (var (message, tag) in frames)
                {
                    viewer.Prime(message, tag);
                }
            }
        }
    }

    public void Leave(ViewerMailbox viewer)
    {
        lock (_gate)
        {
            var lanes = (ViewerMailbox[][])_lanes.Clone();
            lanes[viewer.Lane] = Array.FindAll(lanes[viewer.Lane], member => member != viewer);
            _lanes = lanes;
            MemberCount--;
            _lastActivity = Environment.TickCount64;
        }
    }

    /// <summary>The newest frame of each environment sent to the group.</summary>
    public IReadOnlyList<Frame> NewestFrames()
    {
        lock (_gate)
        {
            return [.. _newest.Values.Select(newest => newest.Message.Message).OfType<InvocationMessage>().Select(invocation => invocation.Arguments[0]).OfType<Frame>()];
        }
    }

    /// <summary>Every viewer of the group, for the stall watch.</summary>
    public IEnumerable<ViewerMailbox> Members => Volatile.Read(ref _lanes).SelectMany(members => members);

    /// <summary>Forgets a group without viewers whose last frame or viewer is older than <paramref name="idleMs"/>.</summary>
    public bool TryForget(long now, long idleMs)
    {
        lock (_gate)
        {
            if (MemberCount == 0 && now - _lastActivity >= idleMs)
            {
                Forgotten = true;
                _newest.Clear();
            }

            return Forgotten;
        }
    }
}
