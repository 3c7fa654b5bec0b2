using System.Net;
using System.Net.WebSockets;
using System.Text;
using Brax.Viewer.Tests.Infrastructure;

namespace Brax.Viewer.Tests.RawShim;

/// <summary>
/// WebSockets over HTTP/2 (RFC 8441 extended CONNECT), which browsers use where the server speaks
/// HTTP/2: the raw endpoints accept them through the same handshake code as HTTP/1.1 upgrades.
/// Cleartext HTTP/2 with prior knowledge stands in for HTTP/2 over TLS here.
/// </summary>
public sealed class Http2WebSocketTests : IAsyncLifetime
{
    private ViewerTestServer _server = null!;

    public async Task InitializeAsync() =>
        _server = await ViewerTestServer.StartAsync(new Dictionary<string, string?> { ["Kestrel:EndpointDefaults:Protocols"] = "Http2" });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Raw_endpoints_accept_WebSockets_over_HTTP2_and_relay_frames()
    {
        using var handler = new SocketsHttpHandler();
        using var invoker = new HttpMessageInvoker(handler);
        using var viewer = await ConnectHttp2Async(_server.WebSocket("ws/frame"), invoker);
        using var streamer = await ConnectHttp2Async(_server.WebSocket("ws/frame?is_streamer=true"), invoker);
        viewer.HttpStatusCode.Should().Be(HttpStatusCode.OK, "an extended CONNECT is accepted with 200, not 101");
        await _server.ViewersJoinedAsync(1);
        var frame = BraxFixtures.Frames("ant")[0];

        await streamer.SendAsync(Encoding.UTF8.GetBytes(frame), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var buffer = new byte[64 * 1024];
        var received = await viewer.ReceiveAsync(buffer, timeout.Token);
        received.EndOfMessage.Should().BeTrue();
        Encoding.UTF8.GetString(buffer, 0, received.Count).Should().Be(frame);
    }

    private static async Task<ClientWebSocket> ConnectHttp2Async(Uri uri, HttpMessageInvoker invoker)
    {
        var socket = new ClientWebSocket();
        socket.Options.HttpVersion = HttpVersion.Version20;
        socket.Options.HttpVersionPolicy = HttpVersionPolicy.RequestVersionExact;
        socket.Options.CollectHttpResponseDetails = true;
        await socket.ConnectAsync(uri, invoker, CancellationToken.None);
        return socket;
    }
}
