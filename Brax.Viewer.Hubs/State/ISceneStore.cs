namespace Brax.Viewer.Hubs.State;

/// <summary>
/// Where the scene (Brax system JSON) of each run is kept. The in-memory store serves one process;
/// a shared store lets several server instances answer <c>GET /api/system</c> alike. Both hold to
/// <see cref="SceneStoreOptions"/>.
/// </summary>
public interface ISceneStore
{
    /// <summary>
    /// Raised with a run whose scene changed out of sight of some pages (a scene loaded or deleted on
    /// another instance while Redis was unreachable): every page of the run must reload it.
    /// </summary>
    event Func<string, Task>? ChangedElsewhere;

    /// <summary>The scene of <paramref name="run"/>, or <see langword="null"/> when none was loaded.</summary>
    ValueTask<StoredScene?> GetAsync(string run, CancellationToken cancellationToken = default);

    /// <summary>
    /// Replaces the scene of <paramref name="run"/>, unless that would pass
    /// <see cref="SceneStoreOptions.MaxSceneRuns"/> or <see cref="SceneStoreOptions.MaxTotalSceneBytes"/>;
    /// the run's old scene does not count against its new one. A refused scene changes nothing.
    /// </summary>
    Task<SceneStoreResult> SetAsync(string run, StoredScene scene, CancellationToken cancellationToken = default);

    /// <summary>
    /// Whether a scene of <paramref name="bytes"/> for <paramref name="run"/> would be stored now: a
    /// check before an upload is read, so one the store has no room for costs nothing.
    /// <see cref="SetAsync"/> decides.
    /// </summary>
    ValueTask<SceneStoreResult> AdmitsAsync(string run, long bytes, CancellationToken cancellationToken = default);

    /// <summary>The runs that have a scene, for a listing: their scenes are not read.</summary>
    ValueTask<IReadOnlyCollection<string>> ListRunsAsync(CancellationToken cancellationToken = default);

    /// <summary>Removes the scene of <paramref name="run"/>; <see langword="false"/> when it had none.</summary>
    Task<bool> DeleteAsync(string run, CancellationToken cancellationToken = default);
}
