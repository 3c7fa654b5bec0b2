using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json.Nodes;
using Brax.Viewer.Hubs.Diagnostics;
using Brax.Viewer.Client;
using Brax.Viewer.Hubs.Fanout;
using Brax.Viewer.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;

namespace Brax.Viewer.Tests.ScaleOut;

public sealed class RedisOutageTests : IDisposable
{
    private const string On = """{"type":"set_render_state","enabled":true}""";
    private const string Off = """{"type":"set_render_state","enabled":false}""";
    private readonly HttpClient _http = new();

    public void Dispose() => _http.Dispose();

    [Fact]
    public async Task Instances_serve_their_own_clients_through_a_Redis_outage_and_reconnect_when_it_returns()
    {
        await using var cluster = await ScaleOutCluster.StartAsync(2);
        var (a, b) = (cluster.A, cluster.B);
        await using var viewerA = await RawClient.ConnectAsync(a.WebSocket("ws/frame"));
        await using var viewerB = await RawClient.ConnectAsync(b.WebSocket("ws/frame"));
        await using var packViewerB = await SignalRClient.ConnectAsync(b, "hubs/frame", HubProtocolKind.MessagePack);
        await using var controlA = await RawClient.ConnectAsync(a.WebSocket("ws/control"));
        await using var controlB = await SignalRClient.ConnectAsync(b, "hubs/control", HubProtocolKind.Json);
        (await controlA.ReceiveAsync()).Should().Be(On);
        (await controlB.NextRenderStateAsync()).Should().BeTrue();
        await Eventually.HoldsAsync(() => a.GetRequiredService<HubDiagnostics>().ViewerMemberships == 1 && b.GetRequiredService<HubDiagnostics>().ViewerMemberships == 2, "viewers joined");
        await using var streamer = await RawClient.ConnectAsync(a.WebSocket("ws/frame?is_streamer=true"));

        await streamer.SendAsync(TestFrames.Numbered(1));
        TestFrames.NumberOf(await viewerA.ReceiveAsync()).Should().Be(1);
        TestFrames.NumberOf(await viewerB.ReceiveAsync()).Should().Be(1);
        TestFrames.NumberOf((await packViewerB.NextFrameAsync()).ToString()).Should().Be(1);

        // Outage.
        await cluster.Redis.StopAsync();
        await cluster.AllReadyAsync(false);
        foreach (var server in cluster.Servers)
        {
            using var health = await _http.GetAsync(server.Http("healthz"));
            health.StatusCode.Should().Be(HttpStatusCode.OK, "liveness never depends on Redis");
            using var ready = await _http.GetAsync(server.Http("readyz"));
            ready.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
            (await ready.Content.ReadFromJsonAsync<JsonObject>())!.ToJsonString().Should().Be("""{"status":"error","message":"redis backplane unavailable"}""");
        }

        for (var number = 2; number <= 5; number++)
        {
            await streamer.SendAsync(TestFrames.Numbered(number));
            TestFrames.NumberOf(await viewerA.ReceiveAsync()).Should().Be(number, "local viewers keep getting frames while Redis is down");
        }

        await controlA.SendAsync("""{"type":"toggle_render","enabled":false}""");
        (await controlA.ReceiveAsync(TimeSpan.FromSeconds(5))).Should().Be(Off, "local control clients keep hearing toggles while Redis is down");
        (await _http.GetFromJsonAsync<JsonObject>(a.Http("api/rendering_status")))!["rendering_enabled"]!.GetValue<bool>().Should().BeFalse();

        var scene = BraxFixtures.System("cartpole");
        using (var put = await _http.PutAsync(a.Http("api/system"), new ByteArrayContent(scene) { Headers = { ContentType = new("application/json") } }))
        {
            put.StatusCode.Should().Be(HttpStatusCode.NoContent, "a scene can be loaded while Redis is down");
        }

        (await controlA.ReceiveAsync(TimeSpan.FromSeconds(5))).Should().Be("""{"type":"refresh_web"}""");
        (await _http.GetByteArrayAsync(a.Http("api/system"))).Should().Equal(scene);

        // A client can still connect during the outage, and is served.
        await using var lateControlA = await RawClient.ConnectAsync(a.WebSocket("ws/control"));
        (await lateControlA.ReceiveAsync(TimeSpan.FromSeconds(5))).Should().Be(Off);

        // Recovery, on the same port, without restarting anything.
        await cluster.Redis.StartAgainAsync();
        await cluster.AllReadyAsync(true, TimeSpan.FromSeconds(30));
        foreach (var server in cluster.Servers)
        {
            using var ready = await _http.GetAsync(server.Http("readyz"));
            ready.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        // What changed during the outage is written through, and B's clients are told.
        (await controlB.NextRenderStateAsync(TimeSpan.FromSeconds(10))).Should().BeFalse("B's control clients hear the toggle A took during the outage");
        (await controlB.NextRefreshAsync(TimeSpan.FromSeconds(10))).Should().BeTrue("B's pages reload for the scene A loaded during the outage");
        await Eventually.HoldsAsync(
            () => !_http.GetFromJsonAsync<JsonObject>(b.Http("api/rendering_status")).Result!["rendering_enabled"]!.GetValue<bool>(),
            "the toggle kept locally reaches Redis once it is back");

        await Eventually.HoldsAsync(
            () => _http.GetAsync(b.Http("api/system")).Result.StatusCode == HttpStatusCode.OK,
            "the scene loaded during the outage reaches Redis once it is back");
        (await _http.GetByteArrayAsync(b.Http("api/system"))).Should().Equal(scene);

        // Cross-instance frames resume (the first may race the resubscription, so send until one crosses).
        var next = 6;
        await RetryUntilAsync(async () =>
        {
            await streamer.SendAsync(TestFrames.Numbered(next++));
            return await TryReceiveAsync(viewerB) is not null;
        });
        await streamer.SendAsync(TestFrames.Numbered(100));
        TestFrames.NumberOf((await packViewerB.NextFrameAsync()).ToString()).Should().BeGreaterThanOrEqualTo(6, "the MessagePack viewer on B gets frames from A again");

        // Toggles cross instances again: B's SignalR client turns rendering on, A's raw clients hear
        // it, the one that connected during the outage too (once it has joined Redis).
        await RetryUntilAsync(async () =>
        {
            await controlB.Connection.InvokeAsync(ControlHubContract.ToggleRender, true);
            return await TryReceiveAsync(controlA) is On;
        });
        await RetryUntilAsync(async () =>
        {
            await controlB.Connection.InvokeAsync(ControlHubContract.ToggleRender, true);
            return await TryReceiveAsync(lateControlA) is On;
        });

        // Nobody was dropped.
        foreach (var socket in new[] { viewerA, viewerB, controlA, lateControlA, streamer })
        {
            socket.Socket.State.Should().Be(WebSocketState.Open);
        }

        packViewerB.Connection.State.Should().Be(HubConnectionState.Connected);
        controlB.Connection.State.Should().Be(HubConnectionState.Connected);
    }

    [Fact]
    public async Task Instances_started_while_Redis_is_down_serve_locally_and_scale_out_once_it_is_up()
    {
        await using var cluster = await ScaleOutCluster.StartAsync(2, redisDown: true);
        var (a, b) = (cluster.A, cluster.B);
        using (var ready = await _http.GetAsync(a.Http("readyz")))
        {
            ready.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        }

        await using var viewerA = await RawClient.ConnectAsync(a.WebSocket("ws/frame"));
        await using var viewerB = await RawClient.ConnectAsync(b.WebSocket("ws/frame"));
        await using var controlA = await RawClient.ConnectAsync(a.WebSocket("ws/control"));
        await using var controlB = await RawClient.ConnectAsync(b.WebSocket("ws/control"));
        (await controlA.ReceiveAsync()).Should().Be(On);
        (await controlB.ReceiveAsync()).Should().Be(On);
        await using var streamer = await RawClient.ConnectAsync(a.WebSocket("ws/frame?is_streamer=true"));
        await Eventually.HoldsAsync(() => a.GetRequiredService<HubDiagnostics>().ViewerMemberships == 1, "the viewer joined on A");
        await streamer.SendAsync(TestFrames.Numbered(1));
        TestFrames.NumberOf(await viewerA.ReceiveAsync()).Should().Be(1);
        await controlA.SendAsync("""{"type":"toggle_render","enabled":false}""");
        (await controlA.ReceiveAsync()).Should().Be(Off);

        await cluster.Redis.StartAgainAsync();
        await cluster.AllReadyAsync(true, TimeSpan.FromSeconds(30));

        await Eventually.HoldsAsync(
            () => !_http.GetFromJsonAsync<JsonObject>(b.Http("api/rendering_status")).Result!["rendering_enabled"]!.GetValue<bool>(),
            "the toggle made before Redis came up reaches it");
        var next = 2;
        await RetryUntilAsync(async () =>
        {
            await streamer.SendAsync(TestFrames.Numbered(next++));
            return await TryReceiveAsync(viewerB) is not null;
        });
        await RetryUntilAsync(async () =>
        {
            await controlB.SendAsync("""{"type":"toggle_render","enabled":true}""");
            return await TryReceiveAsync(controlA) is On;
        });
    }

    private static async Task<string?> TryReceiveAsync(RawClient client)
    {
        try
        {
            return await client.ReceiveAsync(TimeSpan.FromMilliseconds(500));
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    private static async Task RetryUntilAsync(Func<Task<bool>> attempt)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (!await attempt())
        {
            DateTime.UtcNow.Should().BeBefore(deadline, "cross-instance delivery resumes after Redis returns");
        }
    }
}
