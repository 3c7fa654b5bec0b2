using System.Collections.Concurrent;

namespace Brax.Viewer.Hubs.State;

/// <summary>Keeps each run's scene in this process; scenes are gone when it stops.</summary>
internal sealed class InMemorySceneStore : ISceneStore
{
    private readonly ConcurrentDictionary<string, StoredScene> _scenes = new(StringComparer.Ordinal);

    // One process: every scene is loaded here, in sight of every page.
    public event Func<string, Task>? ChangedElsewhere
    {
        add { }
        remove { }
    }

    public ValueTask<StoredScene?> GetAsync(string run, CancellationToken cancellationToken = default)
        => ValueTask.FromResult(_scenes.TryGetValue(run, out var scene) ? scene : null);

    public Task SetAsync(string run, StoredScene scene, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scene);
        _scenes[run] = scene;
        return Task.CompletedTask;
    }
}
