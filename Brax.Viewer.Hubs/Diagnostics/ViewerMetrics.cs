using System.Diagnostics.Metrics;

namespace Brax.Viewer.Hubs.Diagnostics;

/// <summary>
/// The server's instruments, on one <see cref="Meter"/> named <see cref="MeterName"/> made by the
/// host's <see cref="IMeterFactory"/> (so each host, and each test server, has its own). Names and
/// units follow OpenTelemetry's conventions; a Prometheus exporter turns
/// <c>brax.viewer.frames.delivered</c> with unit <c>{frame}</c> into
/// <c>brax_viewer_frames_delivered_total</c>, and <c>brax.viewer.sent</c> with unit <c>By</c> into
/// <c>brax_viewer_sent_bytes_total</c>.
/// </summary>
/// <remarks>
/// Each event is counted once, where it happens: a frame is received in <c>FrameHub.SendFrame</c>
/// (raw and SignalR streamers alike, frames from other instances excluded), delivered when one
/// viewer's connection has taken one write (<c>ViewerMailbox</c>), superseded when a viewer's
/// backlog drops it for a newer one. The per-frame and per-delivery calls take no labels, and the
/// labelled ones take labels made once, so recording allocates nothing.
/// </remarks>
public sealed class ViewerMetrics
{
    /// <summary>The name of the meter, for an exporter to subscribe to.</summary>
    public const string MeterName = "Brax.Viewer";

    // Indexed by BadInputReason.
    private static readonly KeyValuePair<string, object?>[] BadInputReasons =
    [
        new("reason", "binary"),
        new("reason", "too_large"),
        new("reason", "record_separator"),
        new("reason", "invalid_frame"),
        new("reason", "invalid_control_message"),
    ];

    private readonly Meter _meter;
    private readonly UpDownCounter<long> _connections;
    private readonly Counter<long> _framesReceived;
    private readonly Counter<long> _bytesReceived;
    private readonly Counter<long> _framesDelivered;
    private readonly Counter<long> _bytesSent;
    private readonly Counter<long> _framesSuperseded;
    private readonly Counter<long> _invalidMessages;
    private readonly Counter<long> _viewersEvicted;

    /// <summary>Creates the instruments on a meter of <paramref name="meterFactory"/>, which owns and disposes it.</summary>
    public ViewerMetrics(IMeterFactory meterFactory, HubDiagnostics diagnostics)
    {
        ArgumentNullException.ThrowIfNull(diagnostics);
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = _meter = meterFactory.Create(new MeterOptions(MeterName));
        _connections = meter.CreateUpDownCounter<long>(
            "brax.viewer.connections", "{connection}", "Connections being served, by kind (raw, signalr) and endpoint (frame-viewer, streamer, control).");
        _framesReceived = meter.CreateCounter<long>(
            "brax.viewer.frames.received", "{frame}", "Valid frames received from streamers connected to this server.");
        _bytesReceived = meter.CreateCounter<long>(
            "brax.viewer.received", "By", "UTF-8 JSON bytes of the frames received from streamers.");
        _framesDelivered = meter.CreateCounter<long>(
            "brax.viewer.frames.delivered", "{frame}", "Frames written to viewers: one per frame per viewer whose connection took the write.");
        _bytesSent = meter.CreateCounter<long>(
            "brax.viewer.sent", "By", "Bytes of the delivered frames in each viewer's protocol, before WebSocket framing: the frame itself for raw viewers, the whole SignalR message for SignalR viewers.");
        _framesSuperseded = meter.CreateCounter<long>(
            "brax.viewer.frames.superseded", "{frame}", "Frames a slow viewer skipped because newer ones arrived while it was behind.");
        _invalidMessages = meter.CreateCounter<long>(
            "brax.viewer.messages.invalid", "{message}", "Raw messages ignored as invalid, by path and reason.");
        _viewersEvicted = meter.CreateCounter<long>(
            "brax.viewer.viewers.evicted", "{viewer}", "Viewers disconnected because one frame took longer than the send timeout.");

        // Read from the refusal counters every limit and access rule reports to, at each collection.
        meter.CreateObservableCounter(
            "brax.viewer.refusals", diagnostics.RefusalMeasurements, "{request}", "Requests, connections and messages refused to protect the server, by reason.");
    }

    /// <summary>
    /// Adds the gauges of the frame history, read from <paramref name="heldBytes"/> and
    /// <paramref name="heldFrames"/> at each collection: nothing is recorded per frame.
    /// </summary>
    internal void ObserveHistory(Func<long> heldBytes, Func<int> heldFrames)
    {
        _meter.CreateObservableGauge("brax.viewer.history.size", heldBytes, "By", "Bytes of the frames the run histories hold together.");
        _meter.CreateObservableGauge("brax.viewer.history.frames", heldFrames, "{frame}", "Frames the run histories hold together.");
    }

    internal void ConnectionOpened(ConnectionTags tags) => _connections.Add(1, tags.Kind, tags.Endpoint);

    internal void ConnectionClosed(ConnectionTags tags) => _connections.Add(-1, tags.Kind, tags.Endpoint);

    internal void FrameReceived(int bytes)
    {
        _framesReceived.Add(1);
        _bytesReceived.Add(bytes);
    }

    internal void FrameDelivered(int bytes)
    {
        _framesDelivered.Add(1);
        _bytesSent.Add(bytes);
    }

    internal void FrameSuperseded() => _framesSuperseded.Add(1);

    internal void MessageIgnored(string path, BadInputReason reason) =>
        _invalidMessages.Add(1, new KeyValuePair<string, object?>("path", path), BadInputReasons[(int)reason]);

    internal void ViewerEvicted() => _viewersEvicted.Add(1);
}
