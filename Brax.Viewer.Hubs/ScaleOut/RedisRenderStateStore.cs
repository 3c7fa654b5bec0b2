using Brax.Viewer.Hubs.State;
using Microsoft.Extensions.Logging;

namespace Brax.Viewer.Hubs.ScaleOut;

/// <summary>The render toggle of each run in Redis (key <c>PREFIX:render:RUN</c>), shared by every instance.</summary>
internal sealed class RedisRenderStateStore(RedisConnection redis, ILogger<RedisRenderStateStore> logger) : IRenderStateStore
{
    private readonly SharedValues _values = new(redis, "render", logger);

    public async ValueTask<bool> GetAsync(string run, CancellationToken cancellationToken = default)
    {
        var value = await _values.GetAsync(run);

        // Rendering is on until someone turns it off.
        return !value.HasValue || (bool)value;
    }

    public ValueTask SetAsync(string run, bool enabled, CancellationToken cancellationToken = default) =>
        _values.SetAsync(run, enabled);
}
