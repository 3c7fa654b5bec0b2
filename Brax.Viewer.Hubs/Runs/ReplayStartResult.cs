namespace Brax.Viewer.Hubs.Runs;

/// <summary>Whether <see cref="ReplayRunner.TryStart"/> started a replay.</summary>
public enum ReplayStartResult
{
    /// <summary>The replay runs.</summary>
    Started,

    /// <summary>The run is being replayed into already; cancel that replay first.</summary>
    AlreadyReplaying,

    /// <summary>The server is stopping and starts no replay.</summary>
    ShuttingDown,
}
