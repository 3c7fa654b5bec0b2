using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Brax.Viewer.Client;
using Brax.Viewer.Tests.Infrastructure;
using Brax.Viewer.Tests.ScaleOut;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Brax.Viewer.Tests.Client;

/// <summary>BraxViewerClient against the real server: frames, toggles, reconnects, keys, DI.</summary>
public sealed class BraxViewerClientTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private ViewerTestServer _server = null!;

    private HttpClient Http => _server.Client;

    public async Task InitializeAsync() => _server = await ViewerTestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData(BraxViewerProtocol.Json)]
    [InlineData(BraxViewerProtocol.MessagePack)]
    public async Task A_streamer_client_reaches_viewer_clients_and_raw_viewers_of_its_run_only(BraxViewerProtocol protocol)
    {
        await using var viewer = await StartedAsync(Options("frames", BraxViewerRole.Viewer, protocol));
        await using var elsewhere = await StartedAsync(Options("other-run", BraxViewerRole.Viewer, protocol));
        await using var raw = await RawClient.ConnectAsync(_server.WebSocket("ws/frame?run=frames"));
        await using var streamer = await StartedAsync(Options("frames", BraxViewerRole.Streamer, protocol));
        await _server.ViewersJoinedAsync(3);
        var received = new TaskCompletionSource<Frame>(TaskCreationOptions.RunContinuationsAsynchronously);
        viewer.FrameReceived += (_, frame) => received.TrySetResult(frame);
        var strayed = false;
        elsewhere.FrameReceived += (_, _) => strayed = true;

        (await streamer.SendFrameAsync(Frame.Parse(TestFrames.Numbered(1)))).Should().BeTrue();

        JsonNode.DeepEquals(JsonNode.Parse((await received.Task.WaitAsync(Wait)).ToString()), JsonNode.Parse(TestFrames.Numbered(1))).Should().BeTrue();
        JsonNode.DeepEquals(JsonNode.Parse(await raw.ReceiveAsync()), JsonNode.Parse(TestFrames.Numbered(1))).Should().BeTrue();
        (await streamer.SendFrameAsync(Frame.Parse(TestFrames.Numbered(2)))).Should().BeTrue();
        await raw.ReceiveAsync();
        strayed.Should().BeFalse("a run's frames stay in the run");
    }

    [Fact]
    public async Task Frames_stream_in_order_through_ReadFramesAsync()
    {
        await using var viewer = await StartedAsync(Options("stream", BraxViewerRole.Viewer));
        await using var streamer = await StartedAsync(Options("stream", BraxViewerRole.Streamer));
        await _server.ViewersJoinedAsync(1);
        using var cancel = new CancellationTokenSource(Wait);
        // ToListAsync starts reading at once, and ReadFramesAsync subscribes on the first read.
        var reading = viewer.ReadFramesAsync(cancel.Token).Take(5).Select(frame => TestFrames.NumberOf(frame.ToString())).ToListAsync(cancel.Token);

        for (var i = 0; i < 5; i++)
        {
            await streamer.SendFrameAsync(Frame.Parse(TestFrames.Numbered(i)));
        }

        (await reading).Should().Equal(0, 1, 2, 3, 4);
    }

    [Fact]
    public async Task Toggles_go_both_ways_between_the_client_raw_control_clients_and_the_http_api()
    {
        await using var client = await StartedAsync(Options("toggle", BraxViewerRole.Streamer));
        await Eventually.HoldsAsync(() => client.RenderingEnabled == true, "the control hub greets the client with the state");
        await using var page = await RawClient.ConnectAsync(_server.WebSocket("ws/control?run=toggle"));
        (await page.ReceiveAsync()).Should().Be("""{"type":"set_render_state","enabled":true}""");
        var changes = new List<bool>();
        client.RenderStateChanged += (_, enabled) => { lock (changes) { changes.Add(enabled); } };

        await client.ToggleRenderAsync(false);
        (await page.ReceiveAsync()).Should().Be("""{"type":"set_render_state","enabled":false}""");
        await Eventually.HoldsAsync(() => client.RenderingEnabled == false, "the client hears its own toggle");
        (await Http.GetFromJsonAsync<JsonObject>("api/rendering_status?run=toggle"))!["rendering_enabled"]!.GetValue<bool>().Should().BeFalse();

        using var response = await Http.PostAsJsonAsync("api/rendering_status?run=toggle", new { rendering_enabled = true });
        response.EnsureSuccessStatusCode();
        await Eventually.HoldsAsync(() => client.RenderingEnabled == true, "a toggle through the HTTP API reaches the client");
        lock (changes)
        {
            changes.Should().Equal(false, true);
        }
    }

    [Fact]
    public async Task After_a_server_restart_the_clients_reconnect_in_their_role_and_run()
    {
        var port = _server.BaseUri.Port;
        await using var viewer = await StartedAsync(FastReconnect(Options("restart", BraxViewerRole.Viewer)));
        await using var streamer = await StartedAsync(FastReconnect(Options("restart", BraxViewerRole.Streamer)));
        await _server.ViewersJoinedAsync(1);
        var reconnects = 0;
        viewer.Reconnected += (_, _) => Interlocked.Increment(ref reconnects);
        streamer.Reconnected += (_, _) => Interlocked.Increment(ref reconnects);

        await _server.DisposeAsync();
        await Eventually.HoldsAsync(() => viewer.FrameConnectionState != HubConnectionState.Connected, "the viewer notices the server is gone");
        (await streamer.SendFrameAsync(Frame.Parse(TestFrames.Numbered(0)))).Should().BeFalse("nothing is sent while the server is away");
        _server = await ViewerTestServer.StartAsync(new Dictionary<string, string?> { ["urls"] = $"http://127.0.0.1:{port}" });

        await Eventually.HoldsAsync(() => Volatile.Read(ref reconnects) >= 4, "both connections of both clients are back", TimeSpan.FromSeconds(20));
        await _server.ViewersJoinedAsync(1);
        await using var raw = await RawClient.ConnectAsync(_server.WebSocket("ws/frame?run=restart"));
        await _server.ViewersJoinedAsync(2);
        var received = new TaskCompletionSource<Frame>(TaskCreationOptions.RunContinuationsAsynchronously);
        viewer.FrameReceived += (_, frame) => received.TrySetResult(frame);
        (await streamer.SendFrameAsync(Frame.Parse(TestFrames.Numbered(7)))).Should().BeTrue();
        TestFrames.NumberOf((await received.Task.WaitAsync(Wait)).ToString()).Should().Be(7, "the viewer is a viewer of its run again");
        TestFrames.NumberOf(await raw.ReceiveAsync()).Should().Be(7, "the streamer streams to its run again");

        using var response = await Http.PostAsJsonAsync("api/rendering_status?run=restart", new { rendering_enabled = false });
        await Eventually.HoldsAsync(() => streamer.RenderingEnabled == false, "the control connection is back in its run");
    }

    [Fact]
    public async Task A_refused_key_throws_an_access_exception_naming_401_or_403()
    {
        const string StreamerKey = "dotnet-streamer-key-0123456789";
        const string ViewerKey = "dotnet-viewer-key-0123456789";
        await using var keyed = await ViewerTestServer.StartAsync(new Dictionary<string, string?> { ["Viewer:StreamerKey"] = StreamerKey, ["Viewer:ViewerKey"] = ViewerKey });

        await using var anonymous = new BraxViewerClient(new BraxViewerClientOptions { ServerUrl = keyed.BaseUri });
        var refused = (await anonymous.Invoking(client => client.StartAsync()).Should().ThrowAsync<BraxViewerAccessException>()).Which;
        refused.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        refused.Message.Should().Contain("401 Unauthorized").And.Contain("AccessKey");

        await using var viewerAsStreamer = new BraxViewerClient(new BraxViewerClientOptions { ServerUrl = keyed.BaseUri, Role = BraxViewerRole.Streamer, AccessKey = ViewerKey });
        (await viewerAsStreamer.Invoking(client => client.StartAsync()).Should().ThrowAsync<BraxViewerAccessException>()).Which.StatusCode.Should().Be(HttpStatusCode.Forbidden);

        await using var watcher = new BraxViewerClient(new BraxViewerClientOptions { ServerUrl = keyed.BaseUri, AccessKey = ViewerKey });
        await watcher.StartAsync();
        (await watcher.Invoking(client => client.ToggleRenderAsync(false)).Should().ThrowAsync<BraxViewerAccessException>()).Which.StatusCode.Should().Be(HttpStatusCode.Forbidden);

        await using var trainer = new BraxViewerClient(new BraxViewerClientOptions { ServerUrl = keyed.BaseUri, Role = BraxViewerRole.Streamer, AccessKey = StreamerKey });
        await trainer.StartAsync();
        await trainer.ToggleRenderAsync(false);
        await Eventually.HoldsAsync(() => watcher.RenderingEnabled == false, "the streamer key toggles for the viewer");
    }

    [Fact]
    public async Task Dependency_injection_gives_a_client_configured_by_options_and_refuses_bad_ones()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddBraxViewerClient(options =>
        {
            options.ServerUrl = _server.BaseUri;
            options.Run = "injected";
            options.Role = BraxViewerRole.Streamer;
            options.Protocol = BraxViewerProtocol.MessagePack;
        });
        await using (var provider = services.BuildServiceProvider())
        {
            var client = provider.GetRequiredService<BraxViewerClient>();
            provider.GetRequiredService<BraxViewerClient>().Should().BeSameAs(client);
            client.Options.Run.Should().Be("injected");
            await using var raw = await RawClient.ConnectAsync(_server.WebSocket("ws/frame?run=injected"));
            await _server.ViewersJoinedAsync(1);
            await client.StartAsync();
            await client.SendFrameAsync(Frame.Parse(TestFrames.Numbered(3)));
            TestFrames.NumberOf(await raw.ReceiveAsync()).Should().Be(3);
        }

        var bad = new ServiceCollection().AddBraxViewerClient(options => options.Run = "not a run!");
        await using var badProvider = bad.BuildServiceProvider();
        badProvider.Invoking(provider => provider.GetRequiredService<BraxViewerClient>()).Should().Throw<OptionsValidationException>().WithMessage("*Run*");
    }

    [Fact]
    public async Task A_viewer_cannot_send_and_a_client_is_started_once()
    {
        await using var viewer = await StartedAsync(Options("roles", BraxViewerRole.Viewer));

        await viewer.Invoking(client => client.SendFrameAsync(Frame.Parse(TestFrames.Numbered(1)))).Should().ThrowAsync<InvalidOperationException>().WithMessage("*Streamer*");
        await viewer.Invoking(client => client.StartAsync()).Should().ThrowAsync<InvalidOperationException>();
        new Action(() => _ = new BraxViewerClient(new BraxViewerClientOptions { Run = "" + new string('r', 65) })).Should().Throw<ArgumentException>().WithMessage("*Run*");
    }

    private BraxViewerClientOptions Options(string run, BraxViewerRole role, BraxViewerProtocol protocol = BraxViewerProtocol.Json) =>
        new() { ServerUrl = _server.BaseUri, Run = run, Role = role, Protocol = protocol };

    private static BraxViewerClientOptions FastReconnect(BraxViewerClientOptions options)
    {
        options.MinReconnectDelay = TimeSpan.FromMilliseconds(50);
        options.MaxReconnectDelay = TimeSpan.FromMilliseconds(500);
        return options;
    }

    private static async Task<BraxViewerClient> StartedAsync(BraxViewerClientOptions options)
    {
        var client = new BraxViewerClient(options);
        using var timeout = new CancellationTokenSource(Wait);
        await client.StartAsync(timeout.Token);
        return client;
    }
}
