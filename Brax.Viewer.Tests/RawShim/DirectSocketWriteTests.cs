using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Brax.Viewer.Hubs.Diagnostics;
using Brax.Viewer.Tests.Infrastructure;

namespace Brax.Viewer.Tests.RawShim;

/// <summary>
/// Big frames go from their shared array straight to a raw viewer's TCP socket
/// (<c>Viewer:DirectSocketWrites</c>) once the viewer's pong proves that nothing Kestrel still holds
/// can be overtaken. Every frame arrives byte for byte whichever way it went, and a connection on
/// which the switch is not safe (no pong, TLS, the setting off) stays with Kestrel.
/// </summary>
public sealed class DirectSocketWriteTests
{
    // Over the 64 KiB from which a viewer's writes move to its socket.
    private const int BigFrameBytes = 200_000;

    [Fact]
    public async Task A_viewers_first_big_frame_moves_its_writes_to_the_socket_and_every_frame_arrives_byte_for_byte()
    {
        await using var server = await ViewerTestServer.StartAsync();
        var diagnostics = server.GetRequiredService<HubDiagnostics>();
        await using var viewer = await RawClient.ConnectAsync(server.WebSocket("ws/frame"));
        await using var streamer = await RawClient.ConnectAsync(server.WebSocket("ws/frame?is_streamer=true"));
        await server.ViewersJoinedAsync(1);

        var small = Encoding.UTF8.GetBytes(BraxFixtures.Frames("ant")[0]);
        await streamer.SendAsync(small);
        (await viewer.ReceiveBytesAsync()).Should().Equal(small);
        diagnostics.RawSocketsWritingDirect.Should().Be(0, "small frames gain nothing from the switch and stay with Kestrel");

        // Big and small frames after the switch share the socket, each one whole and in order.
        for (var seq = 1; seq <= 6; seq++)
        {
            var sent = seq % 2 == 1 ? BatchedFrames.Json(BigFrameBytes, seq) : small;
            await streamer.SendAsync(sent);
            (await viewer.ReceiveBytesAsync()).Should().Equal(sent, "frame {0} arrives unchanged", seq);
        }

        diagnostics.RawSocketsWritingDirect.Should().Be(1);
        var counts = await server.Client.GetFromJsonAsync<JsonElement>("api/diagnostics");
        counts.GetProperty("raw_sockets_direct").GetInt64().Should().Be(1, "the diagnostics say how many viewers are written to directly");

        await viewer.DisposeAsync();
        await Eventually.HoldsAsync(() => diagnostics.RawSocketsWritingDirect == 0, "the closed viewer is no longer counted");
    }

    [Fact]
    public async Task A_viewer_that_never_answers_the_ping_gets_big_frames_through_Kestrel()
    {
        await using var server = await ViewerTestServer.StartAsync();
        using var silent = await StalledWebSocket.ConnectAsync(server.WebSocket("ws/frame"));
        await using var streamer = await RawClient.ConnectAsync(server.WebSocket("ws/frame?is_streamer=true"));
        await server.ViewersJoinedAsync(1);

        using var reading = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var pings = 0;
        for (var seq = 1; seq <= 3; seq++)
        {
            var sent = BatchedFrames.Json(BigFrameBytes, seq);
            await streamer.SendAsync(sent);
            var (opcode, payload) = await silent.ReadFrameAsync(reading.Token);
            if (opcode == 0x9)
            {
                // The switch's ping, 8 bytes to be echoed; this client never answers it.
                payload.Should().HaveCount(8);
                pings++;
                (opcode, payload) = await silent.ReadFrameAsync(reading.Token);
            }

            opcode.Should().Be(0x1);
            payload.Should().Equal(sent, "frame {0} arrives whole through Kestrel", seq);
        }

        pings.Should().Be(1, "the switch is tried once, before the first big frame");
        server.GetRequiredService<HubDiagnostics>().RawSocketsWritingDirect.Should().Be(0);
    }

    [Fact]
    public async Task Over_TLS_viewers_stay_with_Kestrel_and_get_big_frames_whole()
    {
        using var certificate = TestCertificate.CreateForLoopback();
        await using var server = await ViewerTestServer.StartAsync(
            new Dictionary<string, string?> { ["urls"] = "https://127.0.0.1:0" },
            builder => builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureHttpsDefaults(https => https.ServerCertificate = certificate)));
        var secure = new UriBuilder(server.BaseUri) { Scheme = "wss" }.Uri;
        void Trust(ClientWebSocketOptions options) => options.RemoteCertificateValidationCallback = (_, presented, _, _) => TestCertificate.IsPinned(presented, certificate);
        await using var viewer = await RawClient.ConnectAsync(new Uri(secure, "ws/frame"), Trust);
        await using var streamer = await RawClient.ConnectAsync(new Uri(secure, "ws/frame?is_streamer=true"), Trust);
        await server.ViewersJoinedAsync(1);

        await ExpectBigFramesWholeAsync(streamer, viewer);

        server.GetRequiredService<HubDiagnostics>().RawSocketsWritingDirect.Should().Be(0, "under TLS the socket carries encrypted records, not frames");
    }

    [Fact]
    public async Task With_direct_writes_off_viewers_stay_with_Kestrel()
    {
        await using var server = await ViewerTestServer.StartAsync(new Dictionary<string, string?> { ["Viewer:DirectSocketWrites"] = "false" });
        await using var viewer = await RawClient.ConnectAsync(server.WebSocket("ws/frame"));
        await using var streamer = await RawClient.ConnectAsync(server.WebSocket("ws/frame?is_streamer=true"));
        await server.ViewersJoinedAsync(1);

        await ExpectBigFramesWholeAsync(streamer, viewer);

        server.GetRequiredService<HubDiagnostics>().RawSocketsWritingDirect.Should().Be(0);
    }

    [Fact]
    public async Task A_direct_viewer_that_stops_reading_delays_no_one_and_is_disconnected_after_the_send_timeout()
    {
        await using var server = await ViewerTestServer.StartAsync(new Dictionary<string, string?> { ["Viewer:SendTimeout"] = "00:00:02" });
        var diagnostics = server.GetRequiredService<HubDiagnostics>();
        await using var healthy = await RawClient.ConnectAsync(server.WebSocket("ws/frame"));
        using var stopping = new ClientWebSocket();
        await stopping.ConnectAsync(server.WebSocket("ws/frame"), CancellationToken.None);
        await using var streamer = await RawClient.ConnectAsync(server.WebSocket("ws/frame?is_streamer=true"));
        await server.ViewersJoinedAsync(2);

        // Both read the first big frame, which moves both onto their sockets; then one stops reading.
        var first = BatchedFrames.Json(1_200_000, 1);
        await streamer.SendAsync(first);
        (await healthy.ReceiveBytesAsync()).Should().Equal(first);
        (await ReceiveWholeAsync(stopping)).Should().Equal(first);
        diagnostics.RawSocketsWritingDirect.Should().Be(2);

        // Far more than the stopped viewer's socket buffers hold: a send to it blocks until the timeout cuts it.
        for (var seq = 2; seq <= 30; seq++)
        {
            var sent = BatchedFrames.Json(1_200_000, seq);
            await streamer.SendAsync(sent);
            (await healthy.ReceiveBytesAsync()).Should().Equal(sent, "the reading viewer gets frame {0} without waiting for the stopped one", seq);
        }

        await Eventually.HoldsAsync(() => diagnostics.ViewersEvicted == 1, "the stopped viewer is disconnected once a send has taken longer than 2 s");
        await Eventually.HoldsAsync(() => diagnostics.RawSocketsWritingDirect == 1, "only the healthy viewer is still written to");
        var last = BatchedFrames.Json(BigFrameBytes, 31);
        await streamer.SendAsync(last);
        (await healthy.ReceiveBytesAsync()).Should().Equal(last);
    }

    private static async Task ExpectBigFramesWholeAsync(RawClient streamer, RawClient viewer)
    {
        for (var seq = 1; seq <= 3; seq++)
        {
            var sent = BatchedFrames.Json(BigFrameBytes, seq);
            await streamer.SendAsync(sent);
            (await viewer.ReceiveBytesAsync()).Should().Equal(sent, "frame {0} arrives unchanged", seq);
        }
    }

    private static async Task<byte[]> ReceiveWholeAsync(ClientWebSocket socket)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        using var message = new MemoryStream();
        var buffer = new byte[64 * 1024];
        WebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(buffer, timeout.Token);
            message.Write(buffer, 0, result.Count);
        }
        while (!result.EndOfMessage);

        return message.ToArray();
    }
}
