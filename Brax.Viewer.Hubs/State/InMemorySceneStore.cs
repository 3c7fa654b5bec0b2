using Microsoft.Extensions.Options;

namespace Brax.Viewer.Hubs.State;

/// <summary>Keeps each run's scene in this process, within <see cref="SceneStoreOptions"/>; scenes are gone when it stops.</summary>
internal sealed class InMemorySceneStore(IOptions<SceneStoreOptions> options) : ISceneStore
{
    private readonly SceneStoreOptions _limits = options.Value;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, StoredScene> _scenes = new(StringComparer.Ordinal);
    private long _bytes;

    // One process: every scene is loaded here, in sight of every page.
    public event Func<string, Task>? ChangedElsewhere
    {
        add { }
        remove { }
    }

    public ValueTask<StoredScene?> GetAsync(string run, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return ValueTask.FromResult(_scenes.TryGetValue(run, out var scene) ? scene : null);
        }
    }

    public ValueTask<SceneStoreResult> AdmitsAsync(string run, long bytes, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            var old = _scenes.GetValueOrDefault(run);
            return ValueTask.FromResult(_limits.Admit(_scenes.Count - (old is null ? 0 : 1), _bytes - (old?.Json.Length ?? 0), bytes));
        }
    }

    public Task<SceneStoreResult> SetAsync(string run, StoredScene scene, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scene);
        lock (_gate)
        {
            // The check and the change under one lock: two uploads at once cannot both slip under a limit.
            var old = _scenes.GetValueOrDefault(run);
            var result = _limits.Admit(_scenes.Count - (old is null ? 0 : 1), _bytes - (old?.Json.Length ?? 0), scene.Json.Length);
            if (result == SceneStoreResult.Stored)
            {
                _bytes += scene.Json.Length - (old?.Json.Length ?? 0);
                _scenes[run] = scene;
            }

            return Task.FromResult(result);
        }
    }

    public ValueTask<IReadOnlyCollection<string>> ListRunsAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return ValueTask.FromResult<IReadOnlyCollection<string>>([.. _scenes.Keys]);
        }
    }

    public Task<bool> DeleteAsync(string run, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (!_scenes.Remove(run, out var old))
            {
                return Task.FromResult(false);
            }

            _bytes -= old.Json.Length;
            return Task.FromResult(true);
        }
    }
}
