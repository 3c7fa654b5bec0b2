using System.Net.WebSockets;
using Brax.Viewer.Hubs.Diagnostics;
using Brax.Viewer.Hubs.Fanout;
using Brax.Viewer.Tests.Infrastructure;

namespace Brax.Viewer.Tests.RawShim;

public sealed class ConnectionLifecycleTests : IAsyncLifetime
{
    private ViewerTestServer _server = null!;

    public async Task InitializeAsync() =>
        _server = await ViewerTestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Viewer:KeepAliveInterval"] = "00:00:00.200",
            ["Viewer:KeepAliveTimeout"] = "00:00:01",
        });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private HubDiagnostics Diagnostics => _server.GetRequiredService<HubDiagnostics>();


    [Fact]
    public async Task Closed_clients_are_removed_at_once()
    {
        var viewer = await RawClient.ConnectAsync(_server.WebSocket("ws/frame"));
        var control = await RawClient.ConnectAsync(_server.WebSocket("ws/control"));
        var signalR = await SignalRClient.ConnectAsync(_server, "hubs/frame", HubProtocolKind.MessagePack);
        await _server.ViewersJoinedAsync(2);
        await _server.ControlClientsConnectedAsync(1);

        await viewer.DisposeAsync();
        await control.DisposeAsync();
        await signalR.DisposeAsync();

        await Eventually.HoldsAsync(() => Diagnostics.ViewerMemberships == 0 && Diagnostics.ControlClients == 0 && Diagnostics.RawSockets == 0, "every closed client is gone", TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task Clients_that_vanish_without_a_close_handshake_are_removed_at_once()
    {
        using var viewer = await StalledWebSocket.ConnectAsync(_server.WebSocket("ws/frame"));
        using var streamer = await StalledWebSocket.ConnectAsync(_server.WebSocket("ws/frame?is_streamer=true"));
        using var control = await StalledWebSocket.ConnectAsync(_server.WebSocket("ws/control"));
        await _server.ViewersJoinedAsync(1);
        await _server.StreamersConnectedAsync(1);
        await _server.ControlClientsConnectedAsync(1);

        // A TCP reset: no WebSocket close frame, as when a process is killed.
        foreach (var socket in new[] { viewer, streamer, control })
        {
            socket.Socket.LingerState = new System.Net.Sockets.LingerOption(true, 0);
            socket.Socket.Close();
        }

        await Eventually.HoldsAsync(() => Diagnostics.ViewerMemberships == 0 && Diagnostics.Streamers == 0 && Diagnostics.ControlClients == 0 && Diagnostics.RawSockets == 0, "vanished clients are gone well before any keep-alive timeout", TimeSpan.FromMilliseconds(900));
    }

    [Fact]
    public async Task Nothing_stays_registered_after_a_thousand_connect_disconnect_cycles()
    {
        for (var cycle = 0; cycle < 1000; cycle++)
        {
            var path = (cycle % 4) switch
            {
                0 => "ws/frame",
                1 => "ws/frame?is_streamer=true",
                2 => "ws/control",
                _ => $"ws/frame?run=run{cycle % 7}",
            };
            if (cycle % 3 == 0)
            {
                using var abrupt = await StalledWebSocket.ConnectAsync(_server.WebSocket(path));
                abrupt.Socket.LingerState = new System.Net.Sockets.LingerOption(true, 0);
            }
            else
            {
                await using var client = await RawClient.ConnectAsync(_server.WebSocket(path));
            }
        }

        await Eventually.HoldsAsync(
            () => Diagnostics is { RawSockets: 0, Streamers: 0, FrameViewers: 0, ControlClients: 0 } && Diagnostics.ViewerGroups == 0 && Diagnostics.ViewerMemberships == 0,
            "no connection, membership or group is left");
    }

    [Fact]
    public async Task Raw_sockets_are_pinged_and_closed_when_pings_go_unanswered()
    {
        using var silent = await StalledWebSocket.ConnectAsync(_server.WebSocket("ws/control"));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));

        var opcodes = new List<int>();
        try
        {
            while (true)
            {
                opcodes.Add((await silent.ReadFrameAsync(timeout.Token)).Opcode);
            }
        }
        catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException)
        {
            // The server cut the connection.
        }

        opcodes.Should().Contain(0x9, "the server sends WebSocket pings");
        await Eventually.HoldsAsync(() => Diagnostics.ControlClients == 0, "the client that never answered a ping is gone", TimeSpan.FromSeconds(3));
    }

    [Fact]
    public async Task Client_pings_are_answered_between_frames_on_the_same_connection()
    {
        // The client pings every 20 ms and drops the connection if a pong is 2 s late. The
        // server's pongs and its frames share one connection: a pong written into the middle of a
        // frame would corrupt both, and a missing pong would close the socket.
        await using var viewer = await RawClient.ConnectAsync(_server.WebSocket("ws/frame"), options =>
        {
            options.KeepAliveInterval = TimeSpan.FromMilliseconds(20);
            options.KeepAliveTimeout = TimeSpan.FromSeconds(2);
        });
        await using var streamer = await RawClient.ConnectAsync(_server.WebSocket("ws/frame?is_streamer=true"));
        await _server.ViewersJoinedAsync(1);
        var frames = BraxFixtures.Frames("ant");

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var sent = 0;
        while (clock.Elapsed < TimeSpan.FromSeconds(3))
        {
            var frame = frames[sent % frames.Length];
            await streamer.SendAsync(frame);
            (await viewer.ReceiveAsync()).Should().Be(frame, "frame {0} arrives whole", sent);
            sent++;
        }

        sent.Should().BeGreaterThan(100);
        viewer.Socket.State.Should().Be(WebSocketState.Open, "every ping was answered in time");
    }

    [Fact]
    public async Task Clients_that_answer_pings_stay_connected_past_the_keep_alive_timeout()
    {
        await using var control = await RawClient.ConnectAsync(_server.WebSocket("ws/control"));
        (await control.ReceiveAsync()).Should().Contain("set_render_state");

        // Time passing is the behaviour under test: the connection must outlive the 1 s keep-alive
        // timeout more than twice over while the client answers the pings sent every 200 ms.
        await Task.Delay(TimeSpan.FromSeconds(2.5));

        control.Socket.State.Should().Be(WebSocketState.Open);
        await control.SendAsync("""{"type":"toggle_render","enabled":false}""");
        (await control.ReceiveAsync()).Should().Contain("false");
    }
}
