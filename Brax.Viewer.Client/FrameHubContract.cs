namespace Brax.Viewer.Client;

/// <summary>Paths, query parameters and method names of the frame hub (<c>/hubs/frame</c>).</summary>
public static class FrameHubContract
{
    /// <summary>The hub's path on the server.</summary>
    public const string Path = "/hubs/frame";

    /// <summary>Query parameter that makes a connection a streamer when it is <c>true</c>.</summary>
    public const string StreamerQuery = "is_streamer";

    /// <summary>Query parameter naming the run a connection belongs to (default <see cref="RunContract.DefaultRun"/>).</summary>
    public const string RunQuery = RunContract.Query;

    /// <summary>Client to server: <c>SendFrame(Frame frame)</c>, streamers only.</summary>
    public const string SendFrame = nameof(SendFrame);

    /// <summary>Server to client: <c>ReceiveFrame(Frame frame)</c>, viewers only.</summary>
    public const string ReceiveFrame = nameof(ReceiveFrame);
}
