namespace Brax.Viewer.Hubs.Diagnostics;

/// <summary>
/// Live counts of what the server holds for its clients, so leaks show up in tests and in
/// <c>GET /api/diagnostics</c>: every count returns to zero when every client has gone.
/// </summary>
public sealed class HubDiagnostics
{
    private long _rawSockets;
    private long _streamers;
    private long _frameViewers;
    private long _controlClients;
    private long _framesSkipped;
    private long _viewersEvicted;
    private long _viewerGroups;
    private long _viewerMemberships;

    /// <summary>Raw WebSockets being served on <c>/ws/frame</c> and <c>/ws/control</c>.</summary>
    public long RawSockets => Interlocked.Read(ref _rawSockets);

    /// <summary>Streamer connections (raw and SignalR) of the frame hub.</summary>
    public long Streamers => Interlocked.Read(ref _streamers);

    /// <summary>Viewer connections (raw and SignalR) of the frame hub.</summary>
    public long FrameViewers => Interlocked.Read(ref _frameViewers);

    /// <summary>Control connections (raw and SignalR).</summary>
    public long ControlClients => Interlocked.Read(ref _controlClients);

    /// <summary>Viewer groups (one per run) with at least one viewer on this server.</summary>
    public long ViewerGroups => Interlocked.Read(ref _viewerGroups);

    /// <summary>Group memberships of viewers held on this server.</summary>
    public long ViewerMemberships => Interlocked.Read(ref _viewerMemberships);

    /// <summary>Frames a slow viewer skipped because a newer one arrived first, since start.</summary>
    public long FramesSkipped => Interlocked.Read(ref _framesSkipped);

    /// <summary>Viewers disconnected because one frame took longer than the send timeout, since start.</summary>
    public long ViewersEvicted => Interlocked.Read(ref _viewersEvicted);

    internal void RawSocketOpened() => Interlocked.Increment(ref _rawSockets);

    internal void RawSocketClosed() => Interlocked.Decrement(ref _rawSockets);

    internal void FrameConnected(bool streamer) => Interlocked.Increment(ref streamer ? ref _streamers : ref _frameViewers);

    internal void FrameDisconnected(bool streamer) => Interlocked.Decrement(ref streamer ? ref _streamers : ref _frameViewers);

    internal void ControlConnected() => Interlocked.Increment(ref _controlClients);

    internal void ControlDisconnected() => Interlocked.Decrement(ref _controlClients);

    internal void MembershipAdded(bool newGroup)
    {
        Interlocked.Increment(ref _viewerMemberships);
        if (newGroup)
        {
            Interlocked.Increment(ref _viewerGroups);
        }
    }

    internal void MembershipRemoved(bool groupGone)
    {
        Interlocked.Decrement(ref _viewerMemberships);
        if (groupGone)
        {
            Interlocked.Decrement(ref _viewerGroups);
        }
    }

    internal void FrameSkipped() => Interlocked.Increment(ref _framesSkipped);

    internal void ViewerEvicted() => Interlocked.Increment(ref _viewersEvicted);
}
