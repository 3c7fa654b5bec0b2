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

    /// <summary>Raw WebSockets being served on <c>/ws/frame</c> and <c>/ws/control</c>.</summary>
    public long RawSockets => Interlocked.Read(ref _rawSockets);

    /// <summary>Streamer connections (raw and SignalR) of the frame hub.</summary>
    public long Streamers => Interlocked.Read(ref _streamers);

    /// <summary>Viewer connections (raw and SignalR) of the frame hub.</summary>
    public long FrameViewers => Interlocked.Read(ref _frameViewers);

    /// <summary>Control connections (raw and SignalR).</summary>
    public long ControlClients => Interlocked.Read(ref _controlClients);

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

    internal void FrameSkipped() => Interlocked.Increment(ref _framesSkipped);

    internal void ViewerEvicted() => Interlocked.Increment(ref _viewersEvicted);
}
