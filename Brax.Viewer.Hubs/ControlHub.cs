using Brax.Viewer.Client;
using Brax.Viewer.Hubs.Access;
using Brax.Viewer.Hubs.Diagnostics;
using Brax.Viewer.Hubs.Fanout;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

namespace Brax.Viewer.Hubs;

/// <summary>
/// The render on/off toggle, shared by every control client of a run: raw <c>/ws/control</c> sockets
/// and SignalR <c>/hubs/control</c> connections are all members of the run's control group.
/// </summary>
[Authorize(Policy = AccessPolicies.View)]
internal sealed class ControlHub : Hub
{
    private readonly IControlChannel _channel;
    private readonly IViewerCounts _viewers;
    private readonly HubDiagnostics _diagnostics;
    private readonly ViewerMetrics _metrics;

    public ControlHub(IControlChannel channel, IViewerCounts viewers, HubDiagnostics diagnostics, ViewerMetrics metrics)
    {
        _channel = channel;
        _viewers = viewers;
        _diagnostics = diagnostics;
        _metrics = metrics;
    }

    /// <summary>Joins the run's control group and tells the new client the current state and the number of viewers.</summary>
    public override async Task OnConnectedAsync()
    {
        var role = ClientRole.Establish(Context);
        _diagnostics.ControlConnected();
        ConnectionGauge.Opened(Context, _metrics, ConnectionEndpoint.Control);
        try
        {
            await GreetAsync(role.Run);
        }
        catch
        {
            // SignalR ends a connection whose OnConnectedAsync failed without OnDisconnectedAsync
            // (a store that cannot be read, a client gone mid-greeting): it leaves the counts here.
            _diagnostics.ControlDisconnected();
            ConnectionGauge.Closed(Context, _metrics);
            throw;
        }
    }

    /// <inheritdoc />
    public override Task OnDisconnectedAsync(Exception? exception)
    {
        if (ClientRole.TryGet(Context, out _))
        {
            _diagnostics.ControlDisconnected();
        }

        ConnectionGauge.Closed(Context, _metrics);
        return Task.CompletedTask;
    }

    /// <summary>Turns rendering on or off for the run and tells every control client, the caller included.</summary>
    [Authorize(Policy = AccessPolicies.Stream)]
    public Task ToggleRender(bool enabled) =>
        _channel.SetRenderingAsync(ClientRole.Of(Context).Run, enabled, Context.ConnectionAborted);

    private async Task GreetAsync(string run)
    {
        await Groups.AddToGroupAsync(Context.ConnectionId, HubGroups.Control(run));
        var told = await _channel.GetRenderingAsync(run, Context.ConnectionAborted);
        await Clients.Caller.SendAsync(ControlHubContract.SetRenderState, told, Context.ConnectionAborted);

        // A toggle stored after the read above may have reached this client, as a group member,
        // before the greeting did; the greeting would then leave it one state behind. A toggle
        // stored after the second read is told to the group after the greeting was written.
        var stored = await _channel.GetRenderingAsync(run, Context.ConnectionAborted);
        if (stored != told)
        {
            await Clients.Caller.SendAsync(ControlHubContract.SetRenderState, stored, Context.ConnectionAborted);
        }

        // The same for the viewer count: a change announced to the group during the greeting is read again.
        var viewers = HubGroups.FrameViewers(run);
        var counted = await _viewers.CountAsync(viewers, Context.ConnectionAborted);
        await Clients.Caller.SendAsync(ControlHubContract.ViewerCount, counted, Context.ConnectionAborted);
        var recounted = await _viewers.CountAsync(viewers, Context.ConnectionAborted);
        if (recounted != counted)
        {
            await Clients.Caller.SendAsync(ControlHubContract.ViewerCount, recounted, Context.ConnectionAborted);
        }
    }
}
