namespace Brax.Viewer.Hubs.Diagnostics;

/// <summary>
/// Why the server refused something to protect its resources. Each reason has its own counter in
/// <see cref="HubDiagnostics"/>, shown by <c>GET /api/diagnostics</c> under its
/// <see cref="HubDiagnostics.NameOf"/> name; a fixed set, so a counter per reason stays cheap to export.
/// </summary>
public enum RefusalReason
{
    /// <summary>A WebSocket or SignalR connection past <c>Viewer:MaxConnections</c> (503).</summary>
    Connections,

    /// <summary>A raw frame or control message over its size limit, drained and ignored.</summary>
    MessageTooLarge,

    /// <summary>A toggle past <c>Viewer:MaxControlMessagesPerSecond</c> of its connection, dropped.</summary>
    ControlRate,

    /// <summary>An HTTP request body over the endpoint's limit (413).</summary>
    RequestBodyTooLarge,

    /// <summary>A scene for a new run past <c>Viewer:MaxSceneRuns</c> (507).</summary>
    SceneRuns,

    /// <summary>A scene that would take the stored scenes past <c>Viewer:MaxTotalSceneBytes</c> (507).</summary>
    SceneBytes,

    /// <summary>401: keys are configured and the request presented none.</summary>
    KeyMissing,

    /// <summary>401: the request presented a key that matches no configured key.</summary>
    KeyInvalid,

    /// <summary>403: a valid key that does not allow this (the viewer key where the streamer key is needed).</summary>
    KeyInsufficient,

    /// <summary>403: a browser page from an origin that may not use this server.</summary>
    Origin,
}
