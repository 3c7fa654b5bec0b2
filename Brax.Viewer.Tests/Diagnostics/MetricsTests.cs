using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Brax.Viewer.Client;
using Brax.Viewer.Hubs.Diagnostics;
using Brax.Viewer.Hubs.State;
using Brax.Viewer.Tests.Infrastructure;
using Brax.Viewer.Tests.ScaleOut;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.DependencyInjection;

namespace Brax.Viewer.Tests.Diagnostics;

/// <summary>
/// <c>GET /metrics</c> of a real server, scraped and parsed after a known workload: every event is
/// counted once, where it happens, and the connection gauges return to zero when everyone has gone.
/// </summary>
public sealed class MetricsTests : IAsyncLifetime
{
    private const string StreamerKey = "streamer-key-0123456789abcdef";
    private const string ViewerKey = "viewer-key-0123456789abcdef";
    private const int Frames = 10;
    private ViewerTestServer _server = null!;

    private HttpClient Http => _server.Client;

    public async Task InitializeAsync() => _server = await ViewerTestServer.StartAsync(new Dictionary<string, string?> { ["Viewer:StreamerKey"] = StreamerKey, ["Viewer:ViewerKey"] = ViewerKey });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task A_known_workload_is_counted_exactly_and_the_connection_gauges_return_to_zero()
    {
        var rawViewers = new[]
        {
            await RawClient.ConnectAsync(_server.WebSocket($"ws/frame?access_token={ViewerKey}")),
            await RawClient.ConnectAsync(_server.WebSocket($"ws/frame?access_token={ViewerKey}")),
        };
        var jsonViewer = await SignalRClient.ConnectAsync(_server, FrameHubContract.Path, HubProtocolKind.Json, accessKey: ViewerKey);
        var control = await RawClient.ConnectAsync(_server.WebSocket($"ws/control?access_token={ViewerKey}"));
        var streamer = await RawClient.ConnectAsync(_server.WebSocket($"ws/frame?is_streamer=true&access_token={StreamerKey}"));
        await _server.ViewersJoinedAsync(3);
        await _server.StreamersConnectedAsync(1);
        await _server.ControlClientsConnectedAsync(1);

        var connected = await ScrapeAsync();
        Connections(connected, "raw", "frame-viewer").Should().Be(2);
        Connections(connected, "signalr", "frame-viewer").Should().Be(1);
        Connections(connected, "raw", "streamer").Should().Be(1);
        Connections(connected, "raw", "control").Should().Be(1);
        connected.ValueOrZero("brax_viewer_connections", ("kind", "signalr"), ("endpoint", "streamer")).Should().Be(0);
        connected.ValueOrZero("brax_viewer_connections", ("kind", "signalr"), ("endpoint", "control")).Should().Be(0);

        // Ten frames with one bad message among them; the streamer's messages are handled in order, so
        // once every viewer has the tenth frame the bad one has been handled too.
        var frames = Enumerable.Range(1, Frames).Select(number => TestFrames.Numbered(number, padBytes: number * 7)).ToList();
        for (var i = 0; i < Frames; i++)
        {
            await streamer.SendAsync(frames[i]);
            if (i == Frames / 2)
            {
                await streamer.SendAsync("this is not a frame");
            }
        }

        foreach (var frame in frames)
        {
            foreach (var viewer in rawViewers)
            {
                (await viewer.ReceiveAsync()).Should().Be(frame);
            }

            (await jsonViewer.NextFrameAsync()).ToString().Should().Be(frame);
        }

        // One refusal of each kind: a page from a foreign origin, no key, a wrong key, a viewer key that tries to stream.
        using (var foreignPage = new HttpRequestMessage(HttpMethod.Post, "api/rendering_status") { Content = new StringContent("""{"rendering_enabled":false}""", Encoding.UTF8, "application/json") })
        {
            foreignPage.Headers.Add("Origin", "https://elsewhere.example");
            (await Http.SendAsync(foreignPage)).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        }

        (await Http.GetAsync("api/diagnostics")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await Http.GetAsync("api/diagnostics?access_token=wrong-key-0123456789abcdef")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await Http.GetAsync($"ws/frame?is_streamer=true&access_token={ViewerKey}")).StatusCode.Should().Be(HttpStatusCode.Forbidden);

        // A delivery is counted when the server's write completes, which may be just after the client has the bytes.
        var counted = await ScrapeWhenAsync(metrics => metrics.ValueOrZero("brax_viewer_frames_delivered_total") >= 3 * Frames);
        counted.Value("brax_viewer_frames_received_total").Should().Be(Frames);
        counted.Value("brax_viewer_received_bytes_total").Should().Be(frames.Sum(Encoding.UTF8.GetByteCount));
        counted.Value("brax_viewer_frames_delivered_total").Should().Be(3 * Frames, "two raw viewers and one SignalR viewer got every frame");
        counted.Value("brax_viewer_sent_bytes_total").Should().Be(
            (2 * frames.Sum(Encoding.UTF8.GetByteCount)) + frames.Sum(JsonMessageBytes),
            "raw viewers are sent the frame itself, SignalR JSON viewers the whole SignalR message");
        counted.ValueOrZero("brax_viewer_frames_superseded_total").Should().Be(0, "every viewer kept up");
        counted.ValueOrZero("brax_viewer_viewers_evicted_total").Should().Be(0);
        counted.Value("brax_viewer_messages_invalid_total", ("path", RawEndpointContract.FramePath), ("reason", "invalid_frame")).Should().Be(1);
        counted.All("brax_viewer_messages_invalid_total").Sum(sample => sample.Value).Should().Be(1);
        counted.Value("brax_viewer_refusals_total", ("reason", "origin")).Should().Be(1);
        counted.Value("brax_viewer_refusals_total", ("reason", "key_missing")).Should().Be(1);
        counted.Value("brax_viewer_refusals_total", ("reason", "key_invalid")).Should().Be(1);
        counted.Value("brax_viewer_refusals_total", ("reason", "key_insufficient")).Should().Be(1);
        counted.All("brax_viewer_refusals_total").Sum(sample => sample.Value).Should().Be(4);
        counted.TypeOf("brax_viewer_frames_delivered_total").Should().Be("counter");
        counted.TypeOf("brax_viewer_connections").Should().Be("gauge");

        foreach (var viewer in rawViewers)
        {
            await viewer.DisposeAsync();
        }

        await jsonViewer.DisposeAsync();
        await control.DisposeAsync();
        await streamer.DisposeAsync();

        var gone = await ScrapeWhenAsync(metrics => metrics.All("brax_viewer_connections").All(sample => sample.Value == 0));
        gone.All("brax_viewer_connections").Should().HaveCount(4).And.OnlyContain(sample => sample.Value == 0, "every connection that arrived has left");
    }

    [Fact]
    public async Task Metrics_need_the_viewer_key_and_count_the_requests_they_refuse()
    {
        (await Http.GetAsync("metrics")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await Http.GetAsync("metrics?access_token=wrong-key-0123456789abcdef")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);

        using var request = new HttpRequestMessage(HttpMethod.Get, "metrics");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ViewerKey);
        using var response = await Http.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("text/plain");
        var metrics = PrometheusText.Parse(await response.Content.ReadAsStringAsync());
        metrics.Value("brax_viewer_refusals_total", ("reason", "key_missing")).Should().Be(1);
        metrics.Value("brax_viewer_refusals_total", ("reason", "key_invalid")).Should().Be(1);
        (await Http.GetAsync($"metrics?access_token={StreamerKey}")).StatusCode.Should().Be(HttpStatusCode.OK, "the streamer key grants what the viewer key does");
    }

    // Prometheus asks for OpenMetrics first; its samples must carry the same names as the plain text format's.
    [Fact]
    public async Task A_scraper_asking_for_OpenMetrics_gets_the_same_sample_names()
    {
        await using (var streamer = await RawClient.ConnectAsync(_server.WebSocket($"ws/frame?is_streamer=true&access_token={StreamerKey}")))
        {
            await streamer.SendAsync(TestFrames.Numbered(1));
            await ScrapeWhenAsync(metrics => metrics.ValueOrZero("brax_viewer_frames_received_total") == 1);
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, "metrics");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ViewerKey);
        request.Headers.Accept.ParseAdd("application/openmetrics-text;version=1.0.0;q=0.5");
        request.Headers.Accept.ParseAdd("text/plain;version=0.0.4;q=0.3");
        using var response = await Http.SendAsync(request);

        response.Content.Headers.ContentType!.MediaType.Should().Be("application/openmetrics-text");
        var text = await response.Content.ReadAsStringAsync();
        text.TrimEnd().Should().EndWith("# EOF");
        var metrics = PrometheusText.Parse(text);
        metrics.Value("brax_viewer_frames_received_total").Should().Be(1);
        metrics.Value("brax_viewer_received_bytes_total").Should().Be(Encoding.UTF8.GetByteCount(TestFrames.Numbered(1)));
    }

    [Fact]
    public async Task ASP_NET_Core_and_runtime_meters_are_exported_beside_the_servers_own()
    {
        await using var viewer = await SignalRClient.ConnectAsync(_server, FrameHubContract.Path, HubProtocolKind.MessagePack, accessKey: ViewerKey);

        var metrics = await ScrapeWhenAsync(metrics => metrics.ValueOrZero("signalr_server_active_connections") >= 1);

        metrics.All("http_server_request_duration_seconds_count", ("otel_scope_name", "Microsoft.AspNetCore.Hosting")).Should().NotBeEmpty();
        metrics.All("kestrel_active_connections", ("otel_scope_name", "Microsoft.AspNetCore.Server.Kestrel")).Should().NotBeEmpty();
        metrics.All("signalr_server_active_connections", ("otel_scope_name", "Microsoft.AspNetCore.Http.Connections")).Should().NotBeEmpty();
        metrics.All("dotnet_gc_heap_total_allocated_bytes_total", ("otel_scope_name", "System.Runtime")).Should().ContainSingle();
    }

    [Fact]
    public async Task Frames_a_stalled_viewer_skips_and_its_eviction_are_counted_once_each()
    {
        await using var server = await ViewerTestServer.StartAsync(new Dictionary<string, string?> { ["Viewer:SendTimeout"] = "00:00:01" });
        var diagnostics = server.GetRequiredService<HubDiagnostics>();
        await using var healthy = await RawClient.ConnectAsync(server.WebSocket("ws/frame"));
        using var stalled = await StalledWebSocket.ConnectAsync(server.WebSocket("ws/frame"));
        await using var streamer = await RawClient.ConnectAsync(server.WebSocket("ws/frame?is_streamer=true"));
        await server.ViewersJoinedAsync(2);

        // Large frames fill the stalled socket's buffers quickly; its backlog then supersedes frames
        // until its one stuck write has waited past the send timeout.
        var sent = 0;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (diagnostics.ViewersEvicted == 0 && DateTime.UtcNow < deadline)
        {
            await streamer.SendAsync(TestFrames.Numbered(++sent, padBytes: 32 * 1024));
            await healthy.ReceiveAsync();
        }

        await server.ViewersJoinedAsync(1);
        var metrics = await ScrapeWhenAsync(server, metrics => metrics.ValueOrZero("brax_viewer_connections", ("kind", "raw"), ("endpoint", "frame-viewer")) == 1);

        metrics.Value("brax_viewer_viewers_evicted_total").Should().Be(1);
        diagnostics.FramesSkipped.Should().BePositive("the stalled viewer's backlog overflowed");
        metrics.Value("brax_viewer_frames_superseded_total").Should().Be(diagnostics.FramesSkipped, "each skipped frame is counted once, where it is dropped");
        metrics.Value("brax_viewer_frames_received_total").Should().Be(sent);
        metrics.Value("brax_viewer_frames_delivered_total").Should().BeInRange(sent, (2 * sent) - diagnostics.FramesSkipped, "the healthy viewer got every frame, the stalled one at most those it did not skip");
        metrics.Value("brax_viewer_connections", ("kind", "raw"), ("endpoint", "frame-viewer")).Should().Be(1, "the evicted viewer has left");
    }

    // SignalR does not run OnDisconnectedAsync for a connection whose OnConnectedAsync failed.
    [Fact]
    public async Task A_control_connection_whose_greeting_fails_leaves_no_count_behind()
    {
        await using var server = await ViewerTestServer.StartAsync(configure: builder => builder.Services.AddSingleton<IRenderStateStore, UnreadableRenderStateStore>());
        await using var control = await RawClient.ConnectAsync(server.WebSocket("ws/control"));
        await control.Closed.WaitAsync(TimeSpan.FromSeconds(10));

        var metrics = await ScrapeWhenAsync(server, metrics => metrics.All("brax_viewer_connections").Any());

        metrics.Value("brax_viewer_connections", ("kind", "raw"), ("endpoint", "control")).Should().Be(0);
        server.GetRequiredService<HubDiagnostics>().ControlClients.Should().Be(0);
    }

    // Meters of the same name exist once per host. The server subscribes through its host's metrics
    // builder, which keeps to its own; OpenTelemetry's AddMeter would take every one in the process,
    // and counts in these tests, run in parallel, would mix.
    [Fact]
    public async Task Each_server_in_a_process_exports_only_its_own_counts()
    {
        await using var other = await ViewerTestServer.StartAsync();
        await using var streamer = await RawClient.ConnectAsync(other.WebSocket("ws/frame?is_streamer=true"));
        await streamer.SendAsync(TestFrames.Numbered(1));
        await Eventually.HoldsAsync(async () => PrometheusText.Parse(await Http.GetStringAsync(other.Http("metrics"))).ValueOrZero("brax_viewer_frames_received_total") == 1, "the other server counted its frame");

        var here = await ScrapeAsync();

        here.ValueOrZero("brax_viewer_frames_received_total").Should().Be(0, "the frame reached the other server, whose meter is its own");
        here.ValueOrZero("brax_viewer_connections", ("endpoint", "streamer")).Should().Be(0);
    }

    private static double Connections(PrometheusText metrics, string kind, string endpoint) =>
        metrics.Value("brax_viewer_connections", ("kind", kind), ("endpoint", endpoint));

    // What the server's JSON hub protocol writes for one frame: the frame inside SignalR's envelope.
    private static int JsonMessageBytes(string frame) =>
        new JsonHubProtocol().GetMessageBytes(new InvocationMessage(FrameHubContract.ReceiveFrame, [Frame.Parse(frame)])).Length;

    private async Task<PrometheusText> ScrapeAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "metrics");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ViewerKey);
        using var response = await Http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return PrometheusText.Parse(await response.Content.ReadAsStringAsync());
    }

    private Task<PrometheusText> ScrapeWhenAsync(Func<PrometheusText, bool> ready) => ScrapeWhenAsync(ScrapeAsync, ready);

    // A server of its own, without keys.
    private Task<PrometheusText> ScrapeWhenAsync(ViewerTestServer server, Func<PrometheusText, bool> ready) =>
        ScrapeWhenAsync(async () => PrometheusText.Parse(await Http.GetStringAsync(server.Http("metrics"))), ready);

    /// <summary>The first scrape for which <paramref name="ready"/> holds, or the last one after 10 s, for the assertions to show what it held.</summary>
    private static async Task<PrometheusText> ScrapeWhenAsync(Func<Task<PrometheusText>> scrape, Func<PrometheusText, bool> ready)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            var metrics = await scrape();
            if (ready(metrics) || DateTime.UtcNow > deadline)
            {
                return metrics;
            }

            await Task.Delay(20);
        }
    }
}
