using Brax.Viewer.Client;
using Brax.Viewer.Hubs.State;
using Microsoft.AspNetCore.SignalR;

namespace Brax.Viewer.Hubs;

/// <summary>
/// Toggle and scene notifications through the control hub's groups, so raw and SignalR clients hear
/// the same. It also tells the clients of a run what the stores report as changed out of their sight.
/// </summary>
internal sealed class ControlChannel : IControlChannel
{
    private readonly IHubContext<ControlHub> _hub;
    private readonly IRenderStateStore _renderState;

    public ControlChannel(IHubContext<ControlHub> hub, IRenderStateStore renderState, ISceneStore scenes)
    {
        _hub = hub;
        _renderState = renderState;
        renderState.ChangedElsewhere += run => AnnounceRenderingAsync(run);
        scenes.ChangedElsewhere += run => RefreshWebAsync(run);
    }

    public ValueTask<bool> GetRenderingAsync(string run, CancellationToken cancellationToken = default) =>
        _renderState.GetAsync(run, cancellationToken);

    public async Task SetRenderingAsync(string run, bool enabled, CancellationToken cancellationToken = default)
    {
        await _renderState.SetAsync(run, enabled, cancellationToken);
        await _hub.Clients.Group(HubGroups.Control(run)).SendAsync(ControlHubContract.SetRenderState, enabled, cancellationToken);
    }

    public Task RefreshWebAsync(string run, CancellationToken cancellationToken = default) =>
        _hub.Clients.Group(HubGroups.Control(run)).SendAsync(ControlHubContract.RefreshWeb, cancellationToken);

    // The state the store holds now, not the one that changed: another instance may have written since.
    private async Task AnnounceRenderingAsync(string run) =>
        await _hub.Clients.Group(HubGroups.Control(run)).SendAsync(ControlHubContract.SetRenderState, await _renderState.GetAsync(run));
}
