namespace Brax.Viewer.Hubs.State;

/// <summary>What <see cref="ISceneStore.SetAsync"/> did with a scene.</summary>
public enum SceneStoreResult
{
    /// <summary>The scene is stored, in place of the run's previous one.</summary>
    Stored,

    /// <summary>Refused: a scene for one more run would pass <see cref="SceneStoreOptions.MaxSceneRuns"/>.</summary>
    TooManyRuns,

    /// <summary>Refused: the scenes held would pass <see cref="SceneStoreOptions.MaxTotalSceneBytes"/>.</summary>
    TooManyBytes,
}
