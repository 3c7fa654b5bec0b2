using Brax.Viewer.Hubs.State;

namespace Brax.Viewer.Tests.Infrastructure;

/// <summary>A render toggle store that cannot be read, as a store whose backend fails would be: every read throws.</summary>
public sealed class UnreadableRenderStateStore : IRenderStateStore
{
    public event Func<string, Task>? ChangedElsewhere
    {
        add { }
        remove { }
    }

    public ValueTask<bool> GetAsync(string run, CancellationToken cancellationToken = default) =>
        ValueTask.FromException<bool>(new InvalidOperationException("the render state store cannot be read"));

    public ValueTask SetAsync(string run, bool enabled, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;
}
