namespace Brax.Viewer.Hubs.State;

/// <summary>
/// Where the scene (Brax system JSON) of each run is kept. The in-memory store serves one process;
/// a shared store lets several server instances answer <c>GET /api/system</c> alike.
/// </summary>
public interface ISceneStore
{
    /// <summary>
    /// Raised with a run whose scene changed out of sight of some pages (a scene loaded on another
    /// instance while Redis was unreachable): every page of the run must reload it.
    /// </summary>
    event Func<string, Task>? ChangedElsewhere;

    /// <summary>The scene of <paramref name="run"/>, or <see langword="null"/> when none was loaded.</summary>
    ValueTask<StoredScene?> GetAsync(string run, CancellationToken cancellationToken = default);

    /// <summary>Replaces the scene of <paramref name="run"/>.</summary>
    Task SetAsync(string run, StoredScene scene, CancellationToken cancellationToken = default);
}
