using Brax.Viewer.Hubs.State;

namespace Brax.Viewer.Server.Scenes;

/// <summary>The outcome of <see cref="SceneLoader.LoadAsync"/>: the stored scene's facts, or why it was not stored.</summary>
/// <param name="Info">The facts of the stored scene; <see langword="null"/> when it was refused.</param>
/// <param name="Error">Why it was refused, for the uploader.</param>
/// <param name="OverLimit">Refused because the store is full (<see cref="SceneStoreOptions"/>), not because the scene is invalid.</param>
internal readonly record struct SceneLoadResult(SceneInfo? Info, string? Error, bool OverLimit)
{
    public bool IsLoaded => Info is not null;
}
