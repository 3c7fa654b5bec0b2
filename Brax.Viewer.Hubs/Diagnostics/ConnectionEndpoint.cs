namespace Brax.Viewer.Hubs.Diagnostics;

/// <summary>What a connection is for, as the <c>endpoint</c> label of <c>brax.viewer.connections</c> says it.</summary>
internal enum ConnectionEndpoint
{
    /// <summary>A viewer of frames (<c>/ws/frame</c>, <c>/hubs/frame</c>): <c>frame-viewer</c>.</summary>
    FrameViewer,

    /// <summary>A streamer of frames (<c>?is_streamer=true</c>): <c>streamer</c>.</summary>
    Streamer,

    /// <summary>A control client (<c>/ws/control</c>, <c>/hubs/control</c>): <c>control</c>.</summary>
    Control,
}
