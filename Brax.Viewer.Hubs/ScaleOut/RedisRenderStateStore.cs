using Brax.Viewer.Hubs.State;
using Microsoft.Extensions.Logging;

namespace Brax.Viewer.Hubs.ScaleOut;

/// <summary>The render toggle of each run in Redis (key <c>PREFIX:render:RUN</c>), shared by every instance.</summary>
internal sealed class RedisRenderStateStore : IRenderStateStore
{
    private readonly SharedValues _values;

    // A toggle taken during an outage reached only one instance's clients: the shared values report
    // it once it is in Redis, and what other instances wrote meanwhile once the link is back.
    public RedisRenderStateStore(RedisConnection redis, ILogger<SharedValues> logger) =>
        _values = new(redis, "render", logger, run => ChangedElsewhere?.Invoke(run) ?? Task.CompletedTask);

    public event Func<string, Task>? ChangedElsewhere;

    public async ValueTask<bool> GetAsync(string run, CancellationToken cancellationToken = default)
    {
        var value = await _values.GetAsync(run);

        // Rendering is on until someone turns it off.
        return !value.HasValue || (bool)value;
    }

    public ValueTask SetAsync(string run, bool enabled, CancellationToken cancellationToken = default) =>
        _values.SetAsync(run, enabled);
}
