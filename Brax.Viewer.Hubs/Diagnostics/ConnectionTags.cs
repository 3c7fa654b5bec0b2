namespace Brax.Viewer.Hubs.Diagnostics;

/// <summary>
/// The labels of one kind of connection on the connections gauge, made once for the life of the
/// process. A connection keeps the instance it was counted under, so what it added on arrival it
/// takes away on departure, and neither costs an allocation.
/// </summary>
internal sealed class ConnectionTags
{
    private static readonly ConnectionTags[] All =
    [
        new("raw", "frame-viewer"), new("raw", "streamer"), new("raw", "control"),
        new("signalr", "frame-viewer"), new("signalr", "streamer"), new("signalr", "control"),
    ];

    private ConnectionTags(string kind, string endpoint)
    {
        Kind = new("kind", kind);
        Endpoint = new("endpoint", endpoint);
    }

    /// <summary><c>kind</c>: <c>raw</c> for the documented raw WebSocket protocol, <c>signalr</c> for SignalR clients.</summary>
    public KeyValuePair<string, object?> Kind { get; }

    /// <summary><c>endpoint</c>: <c>frame-viewer</c>, <c>streamer</c> or <c>control</c>.</summary>
    public KeyValuePair<string, object?> Endpoint { get; }

    public static ConnectionTags Of(bool raw, ConnectionEndpoint endpoint) => All[(raw ? 0 : 3) + (int)endpoint];
}
