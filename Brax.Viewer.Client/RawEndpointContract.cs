namespace Brax.Viewer.Client;

/// <summary>The raw WebSocket endpoints of the documented JSON protocol, for clients that do not speak SignalR.</summary>
public static class RawEndpointContract
{
    /// <summary>Frames: streamers (<c>?is_streamer=true</c>) send one frame per text message, viewers receive them.</summary>
    public const string FramePath = "/ws/frame";

    /// <summary>The render toggle: <c>toggle_render</c> in, <c>set_render_state</c> and <c>refresh_web</c> out.</summary>
    public const string ControlPath = "/ws/control";
}
