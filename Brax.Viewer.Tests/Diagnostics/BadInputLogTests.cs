using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using Brax.Viewer.Hubs.Diagnostics;
using Brax.Viewer.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Brax.Viewer.Tests.Diagnostics;

/// <summary>
/// Bad input from raw clients, found by the shim (binary, oversize, 0x1E) or by the raw protocols
/// (text that is no frame or control message), is reported once each, through one throttle per
/// endpoint, on a real server whose clock the test moves.
/// </summary>
public sealed class BadInputLogTests : IAsyncLifetime
{
    private const string Dispatcher = "Microsoft.AspNetCore.SignalR.Internal.DefaultHubDispatcher";
    private const int MaxFrameBytes = 4096;
    private readonly FakeTimeProvider _time = new();
    private readonly FakeLogCollector _logs = new();
    private ViewerTestServer _server = null!;

    public async Task InitializeAsync() =>
        _server = await ViewerTestServer.StartAsync(
            new Dictionary<string, string?>
            {
                ["Viewer:MaxFrameBytes"] = MaxFrameBytes.ToString(CultureInfo.InvariantCulture),

                // The viewer must get every good frame of the burst: a backlog deep enough keeps the skip policy out of it.
                ["Viewer:MaxQueuedFramesPerViewer"] = "4096",
            },
            builder =>
            {
                // After AddViewerHubs' TryAddSingleton(TimeProvider.System): the last registration is the one resolved.
                builder.Services.AddSingleton<TimeProvider>(_time);
                builder.Logging.AddProvider(new FakeLoggerProvider(_logs));

                // SignalR's dispatcher is let through at Debug for this test's logger only, to see the level
                // at which it logs the raw protocols' binding failures.
                builder.Logging.AddFilter<FakeLoggerProvider>(Dispatcher, LogLevel.Debug);
            });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Mixed_bad_input_is_reported_five_times_per_window_and_the_next_window_says_how_many_were_suppressed()
    {
        _server.GetRequiredService<TimeProvider>().Should().BeSameAs(_time, "the throttles must run on the clock the test moves");
        await using var viewer = await RawClient.ConnectAsync(_server.WebSocket("ws/frame"));
        await using var streamer = await RawClient.ConnectAsync(_server.WebSocket("ws/frame?is_streamer=true"));
        await _server.ViewersJoinedAsync(1);

        for (var i = 0; i < 1000; i++)
        {
            await SendBadAsync(streamer, i);
        }

        // A streamer's messages are handled in order: once its next frame is out, every bad one before it was reported.
        await streamer.SendAsync(Frame(1));
        (await viewer.ReceiveAsync()).Should().Be(Frame(1));
        var reports = Reports();
        reports.Should().HaveCount(5, "five reports per window, whatever the kind of bad input");
        reports.Select(r => r.GetStructuredStateValue("Suppressed")).Should().AllBe("0");
        reports.Select(r => r.GetStructuredStateValue("Reason")).Should().Contain(
            ["binary messages are not part of the protocol", "text holds a 0x1E byte, which JSON never does"],
            "the shim's reports and the protocol's go through the same throttle");
        reports.Should().OnlyContain(r => r.Level == LogLevel.Warning && r.Exception == null && r.GetStructuredStateValue("Endpoint") == "/ws/frame");

        // Nothing else reports the same messages above Debug: not the shim, not the protocol, not SignalR's dispatcher.
        var records = _logs.GetSnapshot();
        records.Where(r => r.Category == Dispatcher).Should().NotBeEmpty("the dispatcher is captured at Debug, and logs each binding failure there")
            .And.OnlyContain(r => r.Level <= LogLevel.Debug);
        records.Where(r => r.Level >= LogLevel.Warning && r.Category != typeof(BadInputLog).FullName).Should().BeEmpty();

        _time.Advance(BadInputLog.Window);
        await SendBadAsync(streamer, 0);
        await streamer.SendAsync(Frame(2));
        (await viewer.ReceiveAsync()).Should().Be(Frame(2));

        Reports().Should().HaveCount(6, "the window has elapsed");
        Reports()[^1].GetStructuredStateValue("Suppressed").Should().Be("995", "1,000 bad messages came in the first window and five were reported");
    }

    [Fact]
    public async Task A_viewer_keeps_receiving_every_good_frame_through_a_burst_of_bad_input()
    {
        await using var viewer = await RawClient.ConnectAsync(_server.WebSocket("ws/frame"));
        await using var streamer = await RawClient.ConnectAsync(_server.WebSocket("ws/frame?is_streamer=true"));
        await _server.ViewersJoinedAsync(1);

        for (var i = 0; i < 2000; i++)
        {
            await (i % 10 == 9 ? streamer.SendAsync(Frame(i)) : SendBadAsync(streamer, i));
        }

        for (var i = 9; i < 2000; i += 10)
        {
            (await viewer.ReceiveAsync()).Should().Be(Frame(i));
        }

        Reports().Should().HaveCount(5, "the clock did not move: one window");
        streamer.Socket.State.Should().Be(WebSocketState.Open, "bad input is ignored, not punished");
    }

    [Fact]
    public async Task Each_endpoint_has_its_own_five_reports_per_window()
    {
        await using var control = await RawClient.ConnectAsync(_server.WebSocket("ws/control"));
        await using var streamer = await RawClient.ConnectAsync(_server.WebSocket("ws/frame?is_streamer=true"));
        (await control.ReceiveAsync()).Should().Contain("set_render_state");

        for (var i = 0; i < 20; i++)
        {
            await SendBadAsync(streamer, i);
            await SendBadAsync(control, i);
        }

        // Flooding /ws/frame must not silence /ws/control, nor the other way round.
        await Eventually.HoldsAsync(() => Reports().Count == 10, "both endpoints have reported five times");
        Reports().GroupBy(r => r.GetStructuredStateValue("Endpoint")).Should().HaveCount(2).And.OnlyContain(endpoint => endpoint.Count() == 5);
    }

    private static string Frame(int step) => $$"""{"x":{"pos":[[0,0,0.5]],"rot":[[1,0,0,0]]},"step":{{step}}}""";

    // Every kind of bad input in turn: two the shim refuses, one that is over the limit, two the protocol refuses.
    private static Task SendBadAsync(RawClient client, int i) => (i % 5) switch
    {
        0 => client.SendAsync([1, 2, 3], WebSocketMessageType.Binary),
        1 => client.SendAsync("{\"x\":1}\u001e"),
        2 => client.SendAsync(new string(' ', MaxFrameBytes + 1)),
        3 => client.SendAsync("garbage"),
        _ => client.SendAsync("{\"x\":1}"),
    };

    private List<FakeLogRecord> Reports() =>
        _logs.GetSnapshot().Where(r => r.Category == typeof(BadInputLog).FullName).ToList();
}
