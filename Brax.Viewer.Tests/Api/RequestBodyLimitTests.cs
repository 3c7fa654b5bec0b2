using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using Brax.Viewer.Client;
using Brax.Viewer.Hubs.Diagnostics;
using Brax.Viewer.Tests.Infrastructure;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;

namespace Brax.Viewer.Tests.Api;

/// <summary>
/// Every HTTP endpoint has a body limit answered with 413 and the JSON error body: a small default
/// for the JSON endpoints, <c>Viewer:MaxSceneBytes</c> for scenes, and none cutting the message
/// streams of the hubs and raw endpoints.
/// </summary>
public sealed class RequestBodyLimitTests : IAsyncLifetime
{
    private const int DefaultLimit = 64 * 1024;
    private ViewerTestServer _server = null!;

    private HttpClient Http => _server.Client;

    public async Task InitializeAsync() => _server = await ViewerTestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_JSON_body_over_the_default_limit_gets_413_with_a_JSON_error_and_changes_nothing(bool declared)
    {
        var refusedBefore = _server.GetRequiredService<HubDiagnostics>().RefusalCount(RefusalReason.RequestBodyTooLarge);

        using var response = await Http.SendAsync(Post("api/rendering_status?run=body", Toggle(DefaultLimit + 1), declared));

        await ExpectRefusalAsync(response, DefaultLimit, "Viewer:MaxRequestBodyBytes");
        (await Http.GetFromJsonAsync<System.Text.Json.JsonElement>("api/rendering_status?run=body")).GetProperty("rendering_enabled").GetBoolean().Should().BeTrue();
        _server.GetRequiredService<HubDiagnostics>().RefusalCount(RefusalReason.RequestBodyTooLarge).Should().Be(refusedBefore + 1);
    }

    [Fact]
    public async Task A_JSON_body_of_exactly_the_limit_is_read()
    {
        using var response = await Http.SendAsync(Post("api/rendering_status?run=body-fits", Toggle(DefaultLimit), declared: true));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_chunked_JSON_body_under_the_limit_is_read()
    {
        // Kestrel counts a chunked body with its framing (chunk sizes, line ends): measured, 13 bytes
        // for a body in one chunk. This one stays clear of the edge.
        using var response = await Http.SendAsync(Post("api/rendering_status?run=body-chunked", Toggle(DefaultLimit / 2), declared: false));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task The_limit_is_configurable()
    {
        await using var server = await ViewerTestServer.StartAsync(new Dictionary<string, string?> { ["Viewer:MaxRequestBodyBytes"] = "1024" });
        using var http = new HttpClient { BaseAddress = server.BaseUri };

        (await http.SendAsync(Post("api/rendering_status", Toggle(1024), declared: true))).StatusCode.Should().Be(HttpStatusCode.OK);
        await ExpectRefusalAsync(await http.SendAsync(Post("api/rendering_status", Toggle(1025), declared: true)), 1024, "Viewer:MaxRequestBodyBytes");
    }

    [Fact]
    public async Task A_limit_below_one_byte_stops_the_start()
    {
        var start = () => ViewerTestServer.StartAsync(new Dictionary<string, string?> { ["Viewer:MaxRequestBodyBytes"] = "0" });

        (await start.Should().ThrowAsync<Microsoft.Extensions.Options.OptionsValidationException>()).Which.Message.Should().Contain("Viewer:MaxRequestBodyBytes");
    }

    [Theory]
    [InlineData("POST", "healthz")]
    [InlineData("POST", "no/such/path")]
    [InlineData("GET", "api/system/info")]
    public async Task Endpoints_that_read_no_body_refuse_a_large_one_too(string method, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = new ByteArrayContent(new byte[1024 * 1024]) };

        using var response = await Http.SendAsync(request);

        await ExpectRefusalAsync(response, DefaultLimit, "Viewer:MaxRequestBodyBytes");
    }

    [Fact]
    public async Task Scenes_keep_their_own_larger_limit()
    {
        var scene = Encoding.UTF8.GetBytes("{\"geoms\": {}, \"pad\": \"" + new string('x', 1024 * 1024) + "\"}");

        using var response = await Http.PutAsync("api/system?run=big-scene", new ByteArrayContent(scene) { Headers = { ContentType = new("application/json") } });

        response.StatusCode.Should().Be(HttpStatusCode.NoContent, "a 1 MiB scene is far over the JSON limit and far under Viewer:MaxSceneBytes");
    }

    [Fact]
    public async Task SignalR_long_polling_streamers_send_frames_larger_than_the_limit()
    {
        await using var viewer = await RawClient.ConnectAsync(_server.WebSocket("ws/frame?run=long-poll"));
        var streamer = new HubConnectionBuilder()
            .WithUrl(_server.Http("hubs/frame?run=long-poll&is_streamer=true"), HttpTransportType.LongPolling)
            .Build();
        await using var _ = streamer;
        await streamer.StartAsync();
        await _server.ViewersJoinedAsync(1);
        var frame = LargeFrame(4 * DefaultLimit);

        await streamer.InvokeAsync(FrameHubContract.SendFrame, Frame.Parse(frame));

        (await viewer.ReceiveBytesAsync()).Should().Equal(frame, "a long-polling send is a POST whose body is the message stream");
    }

    [Fact]
    public async Task HTTP2_WebSocket_streamers_send_more_than_the_limit()
    {
        await using var server = await ViewerTestServer.StartAsync(new Dictionary<string, string?> { ["Kestrel:EndpointDefaults:Protocols"] = "Http2" });
        using var handler = new SocketsHttpHandler();
        using var invoker = new HttpMessageInvoker(handler);
        using var viewer = await ConnectHttp2Async(server.WebSocket("ws/frame"), invoker);
        using var streamer = await ConnectHttp2Async(server.WebSocket("ws/frame?is_streamer=true"), invoker);
        await server.ViewersJoinedAsync(1);
        var frame = LargeFrame(4 * DefaultLimit);

        // Over HTTP/2 the WebSocket is the request body of an extended CONNECT.
        await streamer.SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);

        var received = new MemoryStream();
        var buffer = new byte[64 * 1024];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        ValueWebSocketReceiveResult result;
        do
        {
            result = await viewer.ReceiveAsync(buffer.AsMemory(), timeout.Token);
            received.Write(buffer, 0, result.Count);
        }
        while (!result.EndOfMessage);

        received.ToArray().Should().Equal(frame);
    }

    private static async Task ExpectRefusalAsync(HttpResponseMessage response, long limit, string setting)
    {
        response.StatusCode.Should().Be(HttpStatusCode.RequestEntityTooLarge);
        (await response.Content.ReadFromJsonAsync<ErrorBody>())!.Message.Should().Contain($"{limit} bytes").And.Contain(setting);
    }

    private static HttpRequestMessage Post(string path, byte[] body, bool declared)
    {
        HttpContent content = declared ? new ByteArrayContent(body) : new StreamContent(new MemoryStream(body));
        content.Headers.ContentType = new("application/json");
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        request.Headers.TransferEncodingChunked = !declared;
        return request;
    }

    /// <summary>A toggle to false, padded with spaces to exactly <paramref name="bytes"/> bytes.</summary>
    private static byte[] Toggle(int bytes)
    {
        const string toggle = """{"rendering_enabled": false}""";
        return Encoding.UTF8.GetBytes(toggle + new string(' ', bytes - toggle.Length));
    }

    private static byte[] LargeFrame(int bytes) => RawShim.OversizeMessageTests.FrameOf(bytes);

    private static async Task<ClientWebSocket> ConnectHttp2Async(Uri uri, HttpMessageInvoker invoker)
    {
        var socket = new ClientWebSocket();
        socket.Options.HttpVersion = HttpVersion.Version20;
        socket.Options.HttpVersionPolicy = HttpVersionPolicy.RequestVersionExact;
        await socket.ConnectAsync(uri, invoker, CancellationToken.None);
        return socket;
    }
}
