using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.WebSockets;
using Brax.Viewer.Client;
using Brax.Viewer.Tests.Infrastructure;
using Brax.Viewer.Tests.ScaleOut;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Brax.Viewer.Tests.Access;

/// <summary>
/// With both keys set: the streamer key streams, toggles and changes scenes; the viewer key watches;
/// no key or a wrong one is refused with 401 before any upgrade, on raw, SignalR and HTTP paths alike.
/// </summary>
public sealed class AccessKeyTests : IAsyncLifetime
{
    private const string StreamerKey = "streamer-key-0123456789abcdef";
    private const string ViewerKey = "viewer-key-0123456789abcdef";
    private readonly CapturingLoggerProvider _logs = new();
    private ViewerTestServer _server = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _server = await ViewerTestServer.StartAsync(
            new Dictionary<string, string?> { ["Viewer:StreamerKey"] = StreamerKey, ["Viewer:ViewerKey"] = ViewerKey },
            builder => builder.Logging.AddProvider(_logs));
        _http = new HttpClient { BaseAddress = _server.BaseUri };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
    }

    [Theory]
    [InlineData("ws/frame", null, HttpStatusCode.Unauthorized)]
    [InlineData("ws/frame", "wrong-key-0123456789abcdef", HttpStatusCode.Unauthorized)]
    [InlineData("ws/frame?is_streamer=true", null, HttpStatusCode.Unauthorized)]
    [InlineData("ws/frame?is_streamer=true", ViewerKey, HttpStatusCode.Forbidden)]
    [InlineData("ws/control", null, HttpStatusCode.Unauthorized)]
    public async Task Raw_sockets_without_the_right_key_are_refused_before_the_upgrade(string path, string? key, HttpStatusCode expected)
    {
        var status = await RawUpgradeStatusAsync(path, key);

        status.Should().Be(expected);
    }

    [Fact]
    public async Task A_viewer_key_watches_what_a_streamer_key_streams_on_raw_sockets()
    {
        await using var viewer = await RawClient.ConnectAsync(_server.WebSocket($"ws/frame?run=keys&access_token={ViewerKey}"));
        await using var streamer = await RawClient.ConnectAsync(_server.WebSocket("ws/frame?is_streamer=true&run=keys"), options => options.SetRequestHeader("Authorization", $"Bearer {StreamerKey}"));
        await _server.ViewersJoinedAsync(1);

        await streamer.SendAsync(TestFrames.Numbered(1));

        (await viewer.ReceiveAsync()).Should().Be(TestFrames.Numbered(1));
    }

    [Fact]
    public async Task A_viewer_key_cannot_toggle_rendering_on_a_raw_control_socket_but_a_streamer_key_can()
    {
        await using var watcher = await RawClient.ConnectAsync(_server.WebSocket($"ws/control?run=toggle&access_token={ViewerKey}"));
        (await watcher.ReceiveAsync()).Should().Contain("\"enabled\":true");

        await watcher.SendAsync("""{"type":"toggle_render","enabled":false}""");
        await watcher.ExpectNothingAsync(TimeSpan.FromMilliseconds(300));
        (await RenderingAsync("toggle")).Should().BeTrue("a viewer key does not change the toggle");

        await using var trainer = await RawClient.ConnectAsync(_server.WebSocket($"ws/control?run=toggle&access_token={StreamerKey}"));
        (await trainer.ReceiveAsync()).Should().Contain("\"enabled\":true");
        await trainer.SendAsync("""{"type":"toggle_render","enabled":false}""");

        (await watcher.ReceiveAsync()).Should().Contain("\"enabled\":false");
        (await RenderingAsync("toggle")).Should().BeFalse();
    }

    [Fact]
    public async Task SignalR_connections_need_a_key_and_only_the_streamer_key_streams_or_toggles()
    {
        var anonymous = () => SignalRClient.ConnectAsync(_server, FrameHubContract.Path, HubProtocolKind.Json);
        (await anonymous.Should().ThrowAsync<HttpRequestException>()).Which.StatusCode.Should().Be(HttpStatusCode.Unauthorized);

        var viewerAsStreamer = () => SignalRClient.ConnectAsync(_server, $"{FrameHubContract.Path}?is_streamer=true", HubProtocolKind.Json, accessKey: ViewerKey);
        (await viewerAsStreamer.Should().ThrowAsync<HttpRequestException>()).Which.StatusCode.Should().Be(HttpStatusCode.Forbidden);

        await using var viewer = await SignalRClient.ConnectAsync(_server, $"{FrameHubContract.Path}?run=hub-keys", HubProtocolKind.Json, skipNegotiation: true, accessKey: ViewerKey);
        await using var streamer = await SignalRClient.ConnectAsync(_server, $"{FrameHubContract.Path}?is_streamer=true&run=hub-keys", HubProtocolKind.Json, accessKey: StreamerKey);
        await _server.ViewersJoinedAsync(1);
        await streamer.Connection.InvokeAsync(FrameHubContract.SendFrame, Frame.Parse(TestFrames.Numbered(7)));
        (await viewer.NextFrameAsync()).ToString().Should().Be(TestFrames.Numbered(7));

        await using var control = await SignalRClient.ConnectAsync(_server, $"{ControlHubContract.Path}?run=hub-keys", HubProtocolKind.Json, accessKey: ViewerKey);
        (await control.NextRenderStateAsync()).Should().BeTrue();
        var toggle = () => control.Connection.InvokeAsync(ControlHubContract.ToggleRender, false);
        await toggle.Should().ThrowAsync<HubException>();
        (await RenderingAsync("hub-keys")).Should().BeTrue();
    }

    [Theory]
    [InlineData("GET", "api/rendering_status", null, HttpStatusCode.Unauthorized)]
    [InlineData("GET", "api/rendering_status", ViewerKey, HttpStatusCode.OK)]
    [InlineData("POST", "api/rendering_status", ViewerKey, HttpStatusCode.Forbidden)]
    [InlineData("POST", "api/rendering_status", StreamerKey, HttpStatusCode.OK)]
    [InlineData("GET", "api/system/info", null, HttpStatusCode.Unauthorized)]
    [InlineData("GET", "api/system/info", ViewerKey, HttpStatusCode.OK)]
    [InlineData("PUT", "api/system", ViewerKey, HttpStatusCode.Forbidden)]
    [InlineData("DELETE", "api/system?run=delete-keys", null, HttpStatusCode.Unauthorized)]
    [InlineData("DELETE", "api/system?run=delete-keys", ViewerKey, HttpStatusCode.Forbidden)]
    [InlineData("DELETE", "api/system?run=delete-keys", StreamerKey, HttpStatusCode.NotFound)]
    [InlineData("GET", "api/runs/keys/rendering_status", null, HttpStatusCode.Unauthorized)]
    [InlineData("GET", "api/runs/keys/rendering_status", ViewerKey, HttpStatusCode.OK)]
    [InlineData("POST", "api/runs/keys/rendering_status", ViewerKey, HttpStatusCode.Forbidden)]
    [InlineData("POST", "api/runs/keys/rendering_status", StreamerKey, HttpStatusCode.OK)]
    [InlineData("GET", "api/runs/keys/system/info", null, HttpStatusCode.Unauthorized)]
    [InlineData("GET", "api/runs/keys/system/info", ViewerKey, HttpStatusCode.OK)]
    [InlineData("PUT", "api/runs/keys/system", ViewerKey, HttpStatusCode.Forbidden)]
    [InlineData("DELETE", "api/runs/delete-keys/system", ViewerKey, HttpStatusCode.Forbidden)]
    [InlineData("DELETE", "api/runs/delete-keys/system", StreamerKey, HttpStatusCode.NotFound)]
    [InlineData("GET", "api/runs", null, HttpStatusCode.Unauthorized)]
    [InlineData("GET", "api/runs", ViewerKey, HttpStatusCode.OK)]
    [InlineData("GET", "api/runs/keys", null, HttpStatusCode.Unauthorized)]
    [InlineData("GET", "api/diagnostics", null, HttpStatusCode.Unauthorized)]
    [InlineData("GET", "api/diagnostics", StreamerKey, HttpStatusCode.OK)]
    [InlineData("GET", "healthz", null, HttpStatusCode.OK)]
    [InlineData("GET", "", null, HttpStatusCode.OK)]
    public async Task Http_endpoints_ask_for_the_key_their_action_needs(string method, string path, string? key, HttpStatusCode expected)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        if (method == "POST")
        {
            request.Content = JsonContent.Create(new { rendering_enabled = true });
        }

        using var response = await _http.SendAsync(request);

        response.StatusCode.Should().Be(expected);
        if (expected is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            var body = await response.Content.ReadFromJsonAsync<ErrorBody>();
            body!.Status.Should().Be("error");
            body.Message.Should().NotBeNullOrEmpty();
        }
    }

    [Fact]
    public async Task Refusals_are_logged_with_path_and_address_but_never_the_key()
    {
        const string WrongKey = "not-the-key-but-secret-looking";
        await RawUpgradeStatusAsync("ws/frame?is_streamer=true", WrongKey);
        await RawUpgradeStatusAsync("ws/frame?is_streamer=true", ViewerKey);

        var refusals = _logs.Entries.Where(entry => entry.Message.Contains("Refused", StringComparison.Ordinal)).Select(entry => entry.Message).ToList();
        refusals.Should().HaveCountGreaterThanOrEqualTo(2);
        refusals.Should().AllSatisfy(message =>
        {
            message.Should().Contain("/ws/frame").And.Contain("127.0.0.1");
            message.Should().NotContain(WrongKey).And.NotContain(ViewerKey).And.NotContain(StreamerKey);
        });
    }

    private async Task<bool> RenderingAsync(string run)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"api/rendering_status?run={run}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ViewerKey);
        using var response = await _http.SendAsync(request);
        return (await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("rendering_enabled").GetBoolean();
    }

    private async Task<HttpStatusCode> RawUpgradeStatusAsync(string path, string? key)
    {
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        if (key is not null)
        {
            socket.Options.SetRequestHeader("Authorization", $"Bearer {key}");
        }

        var connect = () => socket.ConnectAsync(_server.WebSocket(path), CancellationToken.None);
        await connect.Should().ThrowAsync<WebSocketException>();
        return socket.HttpStatusCode;
    }
}
