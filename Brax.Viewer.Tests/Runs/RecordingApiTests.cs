using System.Net;
using System.Net.Http.Json;
using System.Text;
using Brax.Viewer.Client;
using Brax.Viewer.Hubs.Runs;
using Brax.Viewer.Tests.Infrastructure;
using Brax.Viewer.Tests.ScaleOut;
using Microsoft.AspNetCore.SignalR.Client;

namespace Brax.Viewer.Tests.Runs;

/// <summary>
/// <c>GET /api/runs/{run}/recording</c> of a real server: the run's history as JSON Lines, each
/// frame byte for byte as its streamer sent it, with the server time it arrived; and the history's
/// bounds, seen through it.
/// </summary>
public sealed class RecordingApiTests : IAsyncLifetime
{
    private ViewerTestServer _server = null!;

    private HttpClient Http => _server.Client;

    public async Task InitializeAsync() => _server = await ViewerTestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task The_recording_holds_a_raw_streamers_batched_frames_byte_for_byte_with_their_arrival_times()
    {
        var sent = BraxFixtures.Frames("cartpole_batched4");
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await using (var streamer = await RawClient.ConnectAsync(_server.WebSocket("ws/frame?is_streamer=true&run=rec-raw")))
        {
            foreach (var line in sent)
            {
                await streamer.SendAsync(line);
            }

            await HistoryHoldsAsync(_server, "rec-raw", sent.Length);
        }

        var after = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        using var response = await Http.GetAsync("api/runs/rec-raw/recording");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/x-ndjson");
        var recorded = Recording.Parse(await response.Content.ReadAsByteArrayAsync());
        recorded.Select(line => line.Frame).Should().Equal(sent, "each line carries the frame exactly as the streamer sent it, in order");
        recorded.Select(line => line.TimeMs).Should().BeInAscendingOrder().And.OnlyContain(t => t >= before && t <= after, "t is the server's time of arrival");
    }

    [Fact]
    public async Task The_recording_holds_a_SignalR_streamers_frames_byte_for_byte()
    {
        var sent = BraxFixtures.Frames("cartpole_batched4").Take(40).ToList();
        await using (var streamer = await SignalRClient.ConnectAsync(_server, "hubs/frame?is_streamer=true&run=rec-signalr", HubProtocolKind.Json))
        {
            foreach (var line in sent)
            {
                await streamer.Connection.InvokeAsync(FrameHubContract.SendFrame, Frame.Parse(line));
            }
        }

        await HistoryHoldsAsync(_server, "rec-signalr", sent.Count);
        var recorded = Recording.Parse(await Http.GetByteArrayAsync("api/runs/rec-signalr/recording"));

        recorded.Select(line => line.Frame).Should().Equal(sent);
    }

    [Fact]
    public async Task From_and_to_select_frames_by_server_time_both_inclusive()
    {
        await StreamNumberedAsync(_server, "rec-range", 30);
        var all = Recording.Parse(await Http.GetByteArrayAsync("api/runs/rec-range/recording"));
        var from = all[5].TimeMs;
        var to = all[20].TimeMs;

        var picked = Recording.Parse(await Http.GetByteArrayAsync($"api/runs/rec-range/recording?from={from}&to={to}"));
        var fromOnly = Recording.Parse(await Http.GetByteArrayAsync($"api/runs/rec-range/recording?from={to}"));
        var none = await Http.GetByteArrayAsync($"api/runs/rec-range/recording?from={all[^1].TimeMs + 1}");

        picked.Should().Equal(all.Where(line => line.TimeMs >= from && line.TimeMs <= to));
        picked.Should().HaveCountGreaterThanOrEqualTo(16);
        fromOnly.Should().Equal(all.Where(line => line.TimeMs >= to));
        none.Should().BeEmpty();
    }

    [Fact]
    public async Task A_run_without_recent_frames_has_an_empty_recording()
    {
        using var response = await Http.GetAsync("api/runs/never-streamed/recording");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await response.Content.ReadAsByteArrayAsync()).Should().BeEmpty();
    }

    [Fact]
    public async Task The_html_recording_of_a_run_without_a_scene_is_404_saying_so()
    {
        await StreamNumberedAsync(_server, "rec-no-scene", 3);
        using var response = await Http.GetAsync("api/runs/rec-no-scene/recording?format=html");

        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await response.Content.ReadFromJsonAsync<ErrorBody>())!.Message.Should().Contain("no scene");
    }

    [Theory]
    [InlineData("api/runs/r/recording?from=soon", "'from'")]
    [InlineData("api/runs/r/recording?to=1.5", "'to'")]
    [InlineData("api/runs/r/recording?format=csv", "unknown format 'csv'")]
    [InlineData("api/runs/r%20r/recording", "'run'")]
    public async Task A_bad_query_gets_400_saying_what_is_wrong(string path, string named)
    {
        using var response = await Http.GetAsync(path);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await response.Content.ReadFromJsonAsync<ErrorBody>())!.Message.Should().Contain(named);
    }

    [Fact]
    public async Task A_server_that_keeps_no_history_answers_404_and_holds_no_frames()
    {
        await using var server = await ViewerTestServer.StartAsync(new Dictionary<string, string?> { ["Viewer:HistoryMaxBytes"] = "0" });
        await StreamNumberedAsync(server, "off", 5, waitForHistory: false);

        using var response = await server.Client.GetAsync("api/runs/off/recording");

        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await response.Content.ReadFromJsonAsync<ErrorBody>())!.Message.Should().Contain("Viewer:HistoryMaxBytes");
        server.GetRequiredService<FrameHistory>().Size.Should().Be(default(FrameHistorySize));
    }

    [Fact]
    public async Task Frames_older_than_the_window_leave_the_history_of_a_run_that_stopped_streaming()
    {
        await using var server = await ViewerTestServer.StartAsync(new Dictionary<string, string?> { ["Viewer:HistoryWindow"] = "00:00:00.500" });
        await StreamNumberedAsync(server, "short", 5);
        Recording.Parse(await server.Client.GetByteArrayAsync("api/runs/short/recording")).Should().HaveCount(5);

        await Eventually.HoldsAsync(() => server.GetRequiredService<FrameHistory>().Size.Frames == 0, "the sweep drops the frames once they are older than 0.5 s", TimeSpan.FromSeconds(5));

        (await server.Client.GetByteArrayAsync("api/runs/short/recording")).Should().BeEmpty();
        var metrics = PrometheusText.Parse(await server.Client.GetStringAsync("metrics"));
        metrics.Value("brax_viewer_history_frames").Should().Be(0);
        metrics.Value("brax_viewer_history_size_bytes").Should().Be(0);
    }

    [Fact]
    public async Task Streaming_far_past_the_byte_bound_never_holds_more_and_drops_the_oldest_frames_across_runs()
    {
        // Numbers of four digits: every frame has the same length, and the bound holds 20 of them.
        var length = Encoding.UTF8.GetByteCount(TestFrames.Numbered(1000, padBytes: 1000));
        var bound = 20 * length;
        await using var server = await ViewerTestServer.StartAsync(new Dictionary<string, string?> { ["Viewer:HistoryMaxBytes"] = bound.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        var history = server.GetRequiredService<FrameHistory>();
        using var watching = new CancellationTokenSource();
        long largest = 0;
        var watch = Task.Run(async () =>
        {
            while (!watching.IsCancellationRequested)
            {
                largest = Math.Max(largest, history.Size.Bytes);
                await Task.Yield();
            }
        });

        await StreamNumberedAsync(server, "bytes-a", 300, first: 1000, padBytes: 1000);
        await StreamNumberedAsync(server, "bytes-b", 8, first: 5000, padBytes: 1000);
        await watching.CancelAsync();
        await watch;

        largest.Should().BeLessThanOrEqualTo(bound, "the history never holds more than Viewer:HistoryMaxBytes of frames");
        history.Size.Should().Be(new FrameHistorySize(20, bound));
        var a = Recording.Parse(await server.Client.GetByteArrayAsync("api/runs/bytes-a/recording")).Select(line => TestFrames.NumberOf(line.Frame));
        var b = Recording.Parse(await server.Client.GetByteArrayAsync("api/runs/bytes-b/recording")).Select(line => TestFrames.NumberOf(line.Frame));
        a.Should().Equal(Enumerable.Range(1288, 12), "run a's oldest frames made room, for its own newer ones and then for run b's");
        b.Should().Equal(Enumerable.Range(5000, 8));
        metricsHeld(await server.Client.GetStringAsync("metrics")).Should().Be(bound);

        static double metricsHeld(string text) => PrometheusText.Parse(text).Value("brax_viewer_history_size_bytes");
    }

    [Theory]
    [InlineData("Viewer:HistoryWindow", "-00:00:01")]
    [InlineData("Viewer:HistoryWindow", "2.00:00:00")]
    [InlineData("Viewer:HistoryMaxBytes", "-1")]
    [InlineData("Viewer:MaxReplayBytes", "0")]
    public async Task A_history_setting_out_of_range_stops_the_start_naming_it(string key, string value)
    {
        var start = () => ViewerTestServer.StartAsync(new Dictionary<string, string?> { [key] = value });

        (await start.Should().ThrowAsync<Microsoft.Extensions.Options.OptionsValidationException>()).Which.Message.Should().Contain(key);
    }

    /// <summary>Streams numbered frames from a raw streamer and waits until the run's history holds them all.</summary>
    internal static async Task StreamNumberedAsync(ViewerTestServer server, string run, int count, int first = 1000, int padBytes = 0, bool waitForHistory = true)
    {
        await using var streamer = await RawClient.ConnectAsync(server.WebSocket($"ws/frame?is_streamer=true&run={run}"));
        for (var i = 0; i < count; i++)
        {
            await streamer.SendAsync(TestFrames.Numbered(first + i, padBytes));
        }

        if (waitForHistory)
        {
            await Eventually.HoldsAsync(
                () => server.GetRequiredService<FrameHistory>().Read(run) is [.., var last] && last.Frame.ToString() == TestFrames.Numbered(first + count - 1, padBytes),
                $"the last frame streamed into run {run} is in its history");
        }
        else
        {
            await server.StreamersConnectedAsync(1);
        }
    }

    internal static Task HistoryHoldsAsync(ViewerTestServer server, string run, int frames) =>
        Eventually.HoldsAsync(() => server.GetRequiredService<FrameHistory>().SizeOf(run).Frames == frames, $"run {run}'s history holds {frames} frames");
}
