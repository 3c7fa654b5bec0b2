using Brax.Viewer.Client;
using Brax.Viewer.Hubs.Access;
using Brax.Viewer.Hubs.Diagnostics;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

namespace Brax.Viewer.Hubs;

/// <summary>
/// Frames from streamers to viewers. Raw <c>/ws/frame</c> sockets and SignalR <c>/hubs/frame</c>
/// connections are all hub connections here: viewers join their run's viewer group, and a frame
/// is a group send that <see cref="Fanout.FanoutHubLifetimeManager{THub}"/> delivers newest-wins.
/// </summary>
[Authorize(Policy = AccessPolicies.ConnectFrames)]
internal sealed class FrameHub(HubDiagnostics diagnostics, ViewerMetrics metrics, StreamerConnections streamers) : Hub
{
    /// <summary>Streamers only stream; everyone else becomes a viewer of the run.</summary>
    public override Task OnConnectedAsync()
    {
        var role = ClientRole.Establish(Context);
        diagnostics.FrameConnected(role.IsStreamer);
        ConnectionGauge.Opened(Context, metrics, role.IsStreamer ? ConnectionEndpoint.Streamer : ConnectionEndpoint.FrameViewer);
        if (role.IsStreamer)
        {
            streamers.Connected(role.Run);
            return Task.CompletedTask;
        }

        return Groups.AddToGroupAsync(Context.ConnectionId, HubGroups.FrameViewers(role.Run));
    }

    /// <inheritdoc />
    public override Task OnDisconnectedAsync(Exception? exception)
    {
        if (ClientRole.TryGet(Context, out var role))
        {
            diagnostics.FrameDisconnected(role.Value.IsStreamer);
            if (role.Value.IsStreamer)
            {
                streamers.Disconnected(role.Value.Run);
            }
        }

        ConnectionGauge.Closed(Context, metrics);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Offers the frame to every viewer of the run. Returns without waiting for delivery, so no
    /// viewer can slow the streamer.
    /// </summary>
    [Authorize(Policy = AccessPolicies.Stream)]
    public Task SendFrame(Frame frame)
    {
        var role = ClientRole.Of(Context);
        if (!role.IsStreamer)
        {
            throw new HubException($"Only streamers send frames: connect with ?{FrameHubContract.StreamerQuery}=true.");
        }

        ArgumentNullException.ThrowIfNull(frame);
        metrics.FrameReceived(frame.Utf8Json.Length);
        return Clients.Group(HubGroups.FrameViewers(role.Run)).SendAsync(FrameHubContract.ReceiveFrame, frame);
    }
}
