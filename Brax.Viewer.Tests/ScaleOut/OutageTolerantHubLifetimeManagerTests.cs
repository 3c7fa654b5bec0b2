using Brax.Viewer.Client;
using Brax.Viewer.Hubs;
using Brax.Viewer.Hubs.ScaleOut;
using Brax.Viewer.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;

namespace Brax.Viewer.Tests.ScaleOut;

/// <summary>
/// The control hub's lifetime manager, driven directly: a group send through the instance
/// <see cref="OutageTolerantHubLifetimeManager{THub}"/> that a real server built on a real Redis,
/// to members that are real SignalR clients of that server (local) and of a second instance on
/// the same Redis (reachable only through Redis). The manager is taken from the server rather than
/// built here, so it is wired exactly as in production: SignalR's Redis lifetime manager on the
/// shared connection, joins done by the control hub itself.
/// </summary>
public sealed class OutageTolerantHubLifetimeManagerTests
{
    private const string Run = "outage";
    private static readonly string Group = HubGroups.Control(Run);

    [Fact]
    public async Task Group_send_reaches_local_members_and_through_Redis_the_members_of_other_instances()
    {
        await using var cluster = await ScaleOutCluster.StartAsync(2);
        await using var local = await ControlClientAsync(cluster.A);
        await using var remote = await ControlClientAsync(cluster.B);

        await SendRefreshAsync(cluster.A);

        (await local.NextRefreshAsync()).Should().BeTrue("a member on the sending instance gets the send");
        (await remote.NextRefreshAsync()).Should().BeTrue("a member on another instance gets it through Redis");
    }

    [Fact]
    public async Task Group_send_reaches_local_members_while_Redis_is_down()
    {
        await using var cluster = await ScaleOutCluster.StartAsync(2);
        await using var local = await ControlClientAsync(cluster.A);

        await cluster.Redis.StopAsync();
        await Eventually.HoldsAsync(() => !cluster.A.GetRequiredService<RedisConnection>().IsConnected, "the instance has seen Redis go");
        await SendRefreshAsync(cluster.A).WaitAsync(TimeSpan.FromSeconds(10));

        (await local.NextRefreshAsync()).Should().BeTrue("local members are served without Redis");
    }

    [Fact]
    public async Task Member_that_connected_during_the_outage_gets_group_sends_from_every_instance_once_Redis_returns()
    {
        await using var cluster = await ScaleOutCluster.StartAsync(2);
        await cluster.Redis.StopAsync();
        await cluster.AllReadyAsync(false);

        // The greeting comes after the hub's join, so the member is in the group (locally) from here.
        await using var late = await ControlClientAsync(cluster.A);

        await cluster.Redis.StartAgainAsync();
        await cluster.AllReadyAsync(true, TimeSpan.FromSeconds(30));

        await SendRefreshAsync(cluster.A);
        (await late.NextRefreshAsync()).Should().BeTrue("its own instance reaches it whether or not it has joined Redis yet");

        // B's sends reach A's members only through Redis: once the member has joined there (after
        // the reconnect, asynchronously), they arrive. Send until one does.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            await SendRefreshAsync(cluster.B);
            try
            {
                await late.NextRefreshAsync(TimeSpan.FromMilliseconds(500));
                break;
            }
            catch (OperationCanceledException)
            {
                DateTime.UtcNow.Should().BeBefore(deadline, "the member that connected during the outage joins Redis once it is back");
            }
        }
    }

    private static async Task<SignalRClient> ControlClientAsync(ViewerTestServer server)
    {
        var client = await SignalRClient.ConnectAsync(server, $"hubs/control?run={Run}", HubProtocolKind.Json);
        (await client.NextRenderStateAsync()).Should().BeTrue("the greeting is sent once the member has joined its group");
        return client;
    }

    private static Task SendRefreshAsync(ViewerTestServer server)
    {
        // A server on Redis wraps SignalR's Redis lifetime manager for the control hub.
        var manager = server.GetRequiredService<OutageTolerantHubLifetimeManager<ControlHub>>();
        return manager.SendGroupAsync(Group, ControlHubContract.RefreshWeb, []);
    }
}
