namespace Brax.Viewer.Hubs.Access;

/// <summary>
/// The authorization policies of the server, for endpoints and hub methods. Each is open while the
/// key it needs is not configured (see <see cref="AccessOptions"/>).
/// </summary>
public static class AccessPolicies
{
    /// <summary>Watching: frames, control connections, scenes, diagnostics. Needs the viewer or streamer key.</summary>
    public const string View = "brax.view";

    /// <summary>Changing: streaming, toggling rendering, loading or deleting scenes. Needs the streamer key.</summary>
    public const string Stream = "brax.stream";

    /// <summary>A frame connection: <see cref="Stream"/> when it asks to stream (<c>?is_streamer=true</c>), else <see cref="View"/>.</summary>
    public const string ConnectFrames = "brax.connect-frames";
}
