using Brax.Viewer.Client;
using Brax.Viewer.Hubs.Hubs;
using Brax.Viewer.Hubs.State;
using Microsoft.AspNetCore.SignalR;

namespace Brax.Viewer.Hubs.Control;

/// <summary>Toggle and scene notifications through the control hub's groups, so raw and SignalR clients hear the same.</summary>
internal sealed class ControlChannel(IHubContext<ControlHub> hub, IRenderStateStore store) : IControlChannel
{
    public ValueTask<bool> GetRenderingAsync(string run, CancellationToken cancellationToken = default) =>
        store.GetAsync(run, cancellationToken);

    public async Task SetRenderingAsync(string run, bool enabled, CancellationToken cancellationToken = default)
    {
        await store.SetAsync(run, enabled, cancellationToken);
        await hub.Clients.Group(HubGroups.Control(run)).SendAsync(ControlHubContract.SetRenderState, enabled, cancellationToken);
    }

    public Task RefreshWebAsync(string run, CancellationToken cancellationToken = default) =>
        hub.Clients.Group(HubGroups.Control(run)).SendAsync(ControlHubContract.RefreshWeb, cancellationToken);
}
