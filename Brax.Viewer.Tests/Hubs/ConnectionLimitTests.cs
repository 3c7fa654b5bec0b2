using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using Brax.Viewer.Client;
using Brax.Viewer.Hubs.Diagnostics;
using Brax.Viewer.Tests.Infrastructure;

namespace Brax.Viewer.Tests.Hubs;

/// <summary>
/// Raw and SignalR connections count together against <c>Viewer:MaxConnections</c>; past it, raw
/// handshakes, hub negotiations and hub connections get 503 with the JSON error body before any
/// upgrade, and a closed connection frees its place.
/// </summary>
public sealed class ConnectionLimitTests : IAsyncLifetime
{
    private readonly HttpClient _http = new();
    private ViewerTestServer _server = null!;

    private HubDiagnostics Diagnostics => _server.GetRequiredService<HubDiagnostics>();

    public async Task InitializeAsync() =>
        _server = await ViewerTestServer.StartAsync(new Dictionary<string, string?> { ["Viewer:MaxConnections"] = "2" });

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Past_the_limit_raw_and_SignalR_connections_get_503_with_a_JSON_body_and_a_closed_one_frees_its_place()
    {
        await using var raw = await RawClient.ConnectAsync(_server.WebSocket("ws/frame"));
        var signalR = await SignalRClient.ConnectAsync(_server, "hubs/control", HubProtocolKind.Json);
        var refusedBefore = Diagnostics.RefusalCount(RefusalReason.Connections);

        // A raw WebSocket handshake: refused before the upgrade.
        var rawAttempt = new ClientWebSocket();
        rawAttempt.Options.CollectHttpResponseDetails = true;
        var connect = () => rawAttempt.ConnectAsync(_server.WebSocket("ws/control"), CancellationToken.None);
        await connect.Should().ThrowAsync<WebSocketException>();
        rawAttempt.HttpStatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        rawAttempt.Dispose();

        // The same refusal, read as plain HTTP to see its body.
        await ExpectRefusalAsync(await _http.GetAsync(_server.Http("ws/frame")));
        await ExpectRefusalAsync(await _http.PostAsync(_server.Http("hubs/frame/negotiate?negotiateVersion=1"), null));

        // A SignalR client fails to start, through negotiation or straight over WebSockets.
        var negotiated = () => SignalRClient.ConnectAsync(_server, "hubs/frame", HubProtocolKind.MessagePack);
        (await negotiated.Should().ThrowAsync<HttpRequestException>()).Which.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        var direct = () => SignalRClient.ConnectAsync(_server, "hubs/frame", HubProtocolKind.Json, skipNegotiation: true);
        (await direct.Should().ThrowAsync<WebSocketException>()).Which.Message.Should().Contain("'503'");

        Diagnostics.RefusalCount(RefusalReason.Connections).Should().Be(refusedBefore + 5);
        raw.Socket.State.Should().Be(WebSocketState.Open, "connections already in are never dropped for the limit");

        // Closing the SignalR connection frees a place, which a raw client then takes.
        await signalR.DisposeAsync();
        await using var next = await ConnectWhenFreeAsync(_server.WebSocket("ws/control"));
        (await next.ReceiveAsync()).Should().Contain("set_render_state");
    }

    [Fact]
    public async Task The_limit_counts_connections_not_requests_already_served()
    {
        await using var raw = await RawClient.ConnectAsync(_server.WebSocket("ws/frame?is_streamer=true"));

        // Ordinary HTTP calls are not connections: they pass however many are made.
        for (var i = 0; i < 10; i++)
        {
            (await _http.GetAsync(_server.Http("api/rendering_status"))).StatusCode.Should().Be(HttpStatusCode.OK);
        }

        await using var second = await SignalRClient.ConnectAsync(_server, "hubs/frame", HubProtocolKind.Json);
        await _server.ViewersJoinedAsync(1);
        await raw.SendAsync("""{"x":{"pos":[],"rot":[]}}""");
        (await second.NextFrameAsync()).ToString().Should().Be("""{"x":{"pos":[],"rot":[]}}""", "both connections within the limit work");
    }

    [Fact]
    public async Task Zero_turns_the_limit_off()
    {
        await using var server = await ViewerTestServer.StartAsync(new Dictionary<string, string?> { ["Viewer:MaxConnections"] = "0" });
        var clients = new List<RawClient>();
        for (var i = 0; i < 20; i++)
        {
            clients.Add(await RawClient.ConnectAsync(server.WebSocket("ws/frame")));
        }

        await server.ViewersJoinedAsync(20);
        foreach (var client in clients)
        {
            await client.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_negative_limit_stops_the_start()
    {
        var start = () => ViewerTestServer.StartAsync(new Dictionary<string, string?> { ["Viewer:MaxConnections"] = "-1" });

        (await start.Should().ThrowAsync<Microsoft.Extensions.Options.OptionsValidationException>()).Which.Message.Should().Contain("Viewer:MaxConnections");
    }

    private static async Task ExpectRefusalAsync(HttpResponseMessage response)
    {
        response.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        (await response.Content.ReadFromJsonAsync<ErrorBody>())!.Message.Should().Contain("Viewer:MaxConnections");
    }

    // The place is given back when the server has finished the closed connection's request.
    private static async Task<RawClient> ConnectWhenFreeAsync(Uri uri)
    {
        RawClient? connected = null;
        await Eventually.HoldsAsync(() =>
        {
            try
            {
                connected = RawClient.ConnectAsync(uri).GetAwaiter().GetResult();
                return true;
            }
            catch (WebSocketException)
            {
                return false;
            }
        }, "a place is free again");
        return connected!;
    }
}
