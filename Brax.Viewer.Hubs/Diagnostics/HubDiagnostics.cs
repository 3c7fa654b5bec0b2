namespace Brax.Viewer.Hubs.Diagnostics;

/// <summary>
/// Live counts of what the server holds for its clients, so leaks show up in tests and in
/// <c>GET /api/diagnostics</c>: every count returns to zero when every client has gone.
/// </summary>
public sealed class HubDiagnostics
{
    private static readonly string[] RefusalNames =
        ["connections", "message_too_large", "control_rate", "request_body_too_large", "scene_runs", "scene_bytes", "key_missing", "key_invalid", "key_insufficient", "origin"];

    private readonly long[] _refused = new long[RefusalNames.Length];

    // One report per reason per window: a client that hammers a limit thousands of times a second
    // leaves one line every 10 s, which says how many refusals went unlogged before it.
    private readonly LogThrottle[] _refusalLogs = [.. RefusalNames.Select(_ => new LogThrottle(perWindow: 1))];
    private long _rawSockets;
    private long _rawSocketsWritingDirect;
    private long _streamers;
    private long _frameViewers;
    private long _controlClients;
    private long _framesSkipped;
    private long _viewersEvicted;
    private long _viewerGroups;
    private long _viewerMemberships;

    /// <summary>Raw WebSockets being served on <c>/ws/frame</c> and <c>/ws/control</c>.</summary>
    public long RawSockets => Interlocked.Read(ref _rawSockets);

    /// <summary>Raw viewer sockets whose frames are written straight to the TCP socket (<c>Viewer:DirectSocketWrites</c>).</summary>
    public long RawSocketsWritingDirect => Interlocked.Read(ref _rawSocketsWritingDirect);

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

    /// <summary>Refusals since start, per reason, by <see cref="NameOf"/> name.</summary>
    public IReadOnlyDictionary<string, long> Refusals =>
        Enum.GetValues<RefusalReason>().ToDictionary(NameOf, RefusalCount, StringComparer.Ordinal);

    /// <summary>The snake_case name of <paramref name="reason"/>, as <c>GET /api/diagnostics</c> shows it.</summary>
    public static string NameOf(RefusalReason reason) => RefusalNames[(int)reason];

    /// <summary>Refusals for <paramref name="reason"/> since start.</summary>
    public long RefusalCount(RefusalReason reason) => Interlocked.Read(ref _refused[(int)reason]);

    /// <summary>
    /// Counts one refusal: the one place every limit reports to. Returns whether the caller should
    /// log it now, at most once per 10 s per reason; <paramref name="unlogged"/> then says how many
    /// refusals of that reason went unlogged before it.
    /// </summary>
    public bool Refused(RefusalReason reason, out long unlogged)
    {
        Interlocked.Increment(ref _refused[(int)reason]);
        return _refusalLogs[(int)reason].TryEnter(out unlogged);
    }

    /// <summary>The refusal counts as measurements labelled by reason, for a metrics exporter (a few per scrape).</summary>
    internal IEnumerable<System.Diagnostics.Metrics.Measurement<long>> RefusalMeasurements() =>
        Enum.GetValues<RefusalReason>().Select(reason => new System.Diagnostics.Metrics.Measurement<long>(RefusalCount(reason), new KeyValuePair<string, object?>("reason", NameOf(reason))));

    /// <summary>Counts one refusal that the caller reports through a throttle of its own.</summary>
    public void Refused(RefusalReason reason) => Interlocked.Increment(ref _refused[(int)reason]);

    internal void RawSocketOpened() => Interlocked.Increment(ref _rawSockets);

    internal void RawSocketClosed() => Interlocked.Decrement(ref _rawSockets);

    internal void RawSocketWritesDirect(bool started) => Interlocked.Add(ref _rawSocketsWritingDirect, started ? 1 : -1);

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
