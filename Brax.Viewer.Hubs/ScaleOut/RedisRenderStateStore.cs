using Brax.Viewer.Client;
using Brax.Viewer.Hubs.Hubs;
using Brax.Viewer.Hubs.State;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Logging;

namespace Brax.Viewer.Hubs.ScaleOut;

/// <summary>The render toggle of each run in Redis (key <c>PREFIX:render:RUN</c>), shared by every instance.</summary>
internal sealed class RedisRenderStateStore : IRenderStateStore
{
    private readonly SharedValues _values;
    private readonly IHubContext<ControlHub> _control;

    public RedisRenderStateStore(RedisConnection redis, IHubContext<ControlHub> control, ILogger<RedisRenderStateStore> logger)
    {
        _control = control;
        _values = new(redis, "render", logger, AnnounceAsync);
    }

    public async ValueTask<bool> GetAsync(string run, CancellationToken cancellationToken = default)
    {
        var value = await _values.GetAsync(run);

        // Rendering is on until someone turns it off.
        return !value.HasValue || (bool)value;
    }

    public ValueTask SetAsync(string run, bool enabled, CancellationToken cancellationToken = default) =>
        _values.SetAsync(run, enabled);

    // A toggle taken during an outage reached only one instance's clients: every control client hears
    // the state Redis holds now (another instance may have written after it).
    private async Task AnnounceAsync(string run) =>
        await _control.Clients.Group(HubGroups.Control(run)).SendAsync(ControlHubContract.SetRenderState, await GetAsync(run));
}
