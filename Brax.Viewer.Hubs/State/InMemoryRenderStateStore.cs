using System.Collections.Concurrent;

namespace Brax.Viewer.Hubs.State;

/// <summary>The render toggles of a single server process.</summary>
internal sealed class InMemoryRenderStateStore : IRenderStateStore
{
    private readonly ConcurrentDictionary<string, bool> _states = new(StringComparer.Ordinal);

    // One process: every change is made here, in sight of every client.
    public event Func<string, Task>? ChangedElsewhere
    {
        add { }
        remove { }
    }

    public ValueTask<bool> GetAsync(string run, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(!_states.TryGetValue(run, out var enabled) || enabled);

    public ValueTask SetAsync(string run, bool enabled, CancellationToken cancellationToken = default)
    {
        _states[run] = enabled;
        return ValueTask.CompletedTask;
    }
}
