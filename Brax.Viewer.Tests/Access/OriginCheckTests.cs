using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using Brax.Viewer.Client;
using Brax.Viewer.Tests.Infrastructure;

namespace Brax.Viewer.Tests.Access;

/// <summary>
/// A page from a foreign origin may not open the server's WebSockets, negotiate with its hubs or
/// change its state: 403 before any upgrade. The server's own origin, loopback origins and
/// configured ones may; clients that send no Origin are not browsers and are never affected.
/// </summary>
public sealed class OriginCheckTests : IAsyncLifetime
{
    private const string Evil = "https://evil.example";
    private ViewerTestServer _server = null!;

    private HttpClient Http => _server.Client;

    public async Task InitializeAsync() => _server = await ViewerTestServer.StartAsync(new Dictionary<string, string?> { ["Viewer:AllowedOrigins:0"] = "https://viewer.example.org" });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData("ws/control")]
    [InlineData("ws/frame")]
    [InlineData("ws/frame?is_streamer=true")]
    [InlineData("hubs/control")]
    [InlineData("hubs/frame?is_streamer=true")]
    public async Task WebSockets_from_a_foreign_origin_are_refused_before_the_upgrade(string path)
    {
        (await UpgradeStatusAsync(path, Evil)).Should().Be(HttpStatusCode.Forbidden);
    }

    [Theory]
    [InlineData("hubs/control/negotiate?negotiateVersion=1")]
    [InlineData("hubs/frame/negotiate?negotiateVersion=1")]
    public async Task Hub_negotiation_from_a_foreign_origin_is_refused(string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path);
        request.Headers.Add("Origin", Evil);

        using var response = await Http.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await response.Content.ReadFromJsonAsync<ErrorBody>())!.Message.Should().Contain(Evil);
    }

    [Fact]
    public async Task State_changing_calls_from_a_foreign_origin_are_refused_and_change_nothing()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/rendering_status?run=origin") { Content = JsonContent.Create(new { rendering_enabled = false }) };
        request.Headers.Add("Origin", Evil);

        using var response = await Http.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        var state = await Http.GetFromJsonAsync<System.Text.Json.JsonElement>("api/rendering_status?run=origin");
        state.GetProperty("rendering_enabled").GetBoolean().Should().BeTrue();
    }

    [Fact]
    public async Task Reading_from_a_foreign_origin_is_left_to_the_browser()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/rendering_status");
        request.Headers.Add("Origin", Evil);

        using var response = await Http.SendAsync(request);

        // No CORS headers are sent, so the browser keeps the answer from the foreign page.
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Headers.Contains("Access-Control-Allow-Origin").Should().BeFalse();
    }

    [Theory]
    [InlineData(null)]
    [InlineData("http://localhost:5173")]
    [InlineData("http://127.0.0.1:8888")]
    [InlineData("http://[::1]:3000")]
    [InlineData("https://viewer.example.org")]
    public async Task The_own_origin_loopback_origins_configured_origins_and_no_origin_are_let_through(string? origin)
    {
        await using var client = await RawClient.ConnectAsync(_server.WebSocket("ws/control"), options =>
        {
            if (origin is not null)
            {
                options.SetRequestHeader("Origin", origin);
            }
        });

        (await client.ReceiveAsync()).Should().Contain("set_render_state");
    }

    [Fact]
    public async Task The_server_own_origin_is_let_through()
    {
        var own = _server.BaseUri.GetLeftPart(UriPartial.Authority);
        await using var client = await RawClient.ConnectAsync(_server.WebSocket("ws/frame"), options => options.SetRequestHeader("Origin", own));

        client.Socket.State.Should().Be(WebSocketState.Open);
    }

    private async Task<HttpStatusCode> UpgradeStatusAsync(string path, string origin)
    {
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        socket.Options.SetRequestHeader("Origin", origin);
        var connect = () => socket.ConnectAsync(_server.WebSocket(path), CancellationToken.None);
        await connect.Should().ThrowAsync<WebSocketException>();
        return socket.HttpStatusCode;
    }
}
