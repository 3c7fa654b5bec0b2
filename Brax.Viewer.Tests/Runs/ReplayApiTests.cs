using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Brax.Viewer.Client;
using Brax.Viewer.Hubs.Runs;
using Brax.Viewer.Tests.Infrastructure;
using Brax.Viewer.Tests.ScaleOut;

namespace Brax.Viewer.Tests.Runs;

/// <summary>
/// <c>POST /api/runs/{run}/replay</c> and <c>DELETE</c> on a real server: a recording streamed into
/// a run reaches its raw and SignalR viewers in order, at the recorded pace over the speed; a bad
/// recording is refused whole; one replay per run, and a replay can be cancelled.
/// </summary>
public sealed class ReplayApiTests : IAsyncLifetime
{
    // Generous, and more so for late than for early: on a shared machine a timer or a read may be
    // late, which moves one arrival and not the ones after it; only a late first arrival makes the
    // others look early.
    private const int EarlyToleranceMs = 150;
    private const int LateToleranceMs = 500;

    private ViewerTestServer _server = null!;

    private HttpClient Http => _server.Client;

    public async Task InitializeAsync() => _server = await ViewerTestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData(1.0)]
    [InlineData(2.0)]
    public async Task A_replay_reaches_raw_and_SignalR_viewers_in_order_at_the_recorded_pace_over_the_speed(double speed)
    {
        var run = "pace-" + speed.ToString(CultureInfo.InvariantCulture);
        long[] times = [0, 400, 600, 1200, 1500, 2000];
        var frames = times.Select((_, i) => TestFrames.Numbered(i + 1, padBytes: 100)).ToList();
        await using var raw = await RawClient.ConnectAsync(_server.WebSocket($"ws/frame?run={run}"));
        await using var signalR = await SignalRClient.ConnectAsync(_server, $"hubs/frame?run={run}", HubProtocolKind.Json);
        await _server.ViewersJoinedAsync(2);

        var rawArrivals = Task.Run(async () => await ReceiveTimedAsync(async () => await raw.ReceiveAsync(), frames.Count));
        var signalRArrivals = Task.Run(async () => await ReceiveTimedAsync(async () => (await signalR.NextFrameAsync()).ToString(), frames.Count));
        using var response = await PostRecordingAsync($"api/runs/{run}/replay?speed={speed.ToString(CultureInfo.InvariantCulture)}", RecordingOf(times, frames));

        response.StatusCode.Should().Be(HttpStatusCode.Accepted);
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>();
        answer.GetProperty("run").GetString().Should().Be(run);
        answer.GetProperty("frames").GetInt32().Should().Be(frames.Count);
        answer.GetProperty("duration_ms").GetInt64().Should().Be((long)(2000 / speed));
        _server.GetRequiredService<ReplayRunner>().IsReplaying(run).Should().BeTrue();
        foreach (var arrivals in new[] { await rawArrivals, await signalRArrivals })
        {
            arrivals.Select(arrival => arrival.Frame).Should().Equal(frames, "the viewers get the recorded frames in order");
            var offsets = arrivals.Select(arrival => (double)(arrival.AtMs - arrivals[0].AtMs)).ToList();
            for (var i = 1; i < times.Length; i++)
            {
                offsets[i].Should().BeInRange(
                    (times[i] / speed) - EarlyToleranceMs,
                    (times[i] / speed) + LateToleranceMs,
                    $"frame {i + 1} was recorded {times[i]} ms after the first and is replayed at speed {speed} (arrivals: {string.Join(", ", offsets)})");
            }
        }

        await Eventually.HoldsAsync(() => !_server.GetRequiredService<ReplayRunner>().IsReplaying(run), "the replay ends after its last frame");
        Recording.Parse(await Http.GetByteArrayAsync($"api/runs/{run}/recording")).Select(line => line.Frame)
            .Should().Equal(frames, "a replayed frame goes where a streamed one goes, the run's history included");
    }

    [Fact]
    public async Task A_replay_from_another_runs_name_streams_that_runs_history_into_this_one()
    {
        await RecordingApiTests.StreamNumberedAsync(_server, "source-run", 5);
        await using var viewer = await RawClient.ConnectAsync(_server.WebSocket("ws/frame?run=copy-run"));
        await _server.ViewersJoinedAsync(1);

        using var response = await Http.PostAsync("api/runs/copy-run/replay?source=source-run&speed=16", EmptyJson());
        var received = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            received.Add(await viewer.ReceiveAsync());
        }

        response.StatusCode.Should().Be(HttpStatusCode.Accepted);
        received.Should().Equal(Enumerable.Range(1000, 5).Select(number => TestFrames.Numbered(number)));
    }

    [Fact]
    public async Task A_source_run_without_history_gets_404()
    {
        using var response = await Http.PostAsync("api/runs/copy-nothing/replay?source=nothing-here", EmptyJson());

        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await response.Content.ReadFromJsonAsync<ErrorBody>())!.Message.Should().Contain("nothing-here");
    }

    [Fact]
    public async Task Cancelling_a_replay_stops_its_frames_and_a_second_cancel_gets_404()
    {
        var times = Enumerable.Range(0, 20).Select(i => i * 200L).ToArray();
        var frames = times.Select((_, i) => TestFrames.Numbered(i)).ToList();
        await using var viewer = await RawClient.ConnectAsync(_server.WebSocket("ws/frame?run=cancelled"));
        await _server.ViewersJoinedAsync(1);
        using var started = await PostRecordingAsync("api/runs/cancelled/replay", RecordingOf(times, frames));
        started.StatusCode.Should().Be(HttpStatusCode.Accepted);
        (await viewer.ReceiveAsync()).Should().Be(frames[0]);

        using var cancelled = await Http.DeleteAsync("api/runs/cancelled/replay");
        _server.GetRequiredService<ReplayRunner>().IsReplaying("cancelled").Should().BeFalse();
        while (viewer.Socket.State == System.Net.WebSockets.WebSocketState.Open && await TryReceiveAsync(viewer, TimeSpan.FromMilliseconds(50)))
        {
            // A frame already on its way when the cancel came is allowed; the wait below is for any after it.
        }

        cancelled.StatusCode.Should().Be(HttpStatusCode.NoContent);
        await viewer.ExpectNothingAsync(TimeSpan.FromMilliseconds(700));
        (await Http.DeleteAsync("api/runs/cancelled/replay")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_second_replay_into_a_run_being_replayed_gets_409()
    {
        var recording = RecordingOf([0, 10_000], [TestFrames.Numbered(1), TestFrames.Numbered(2)]);
        using var first = await PostRecordingAsync("api/runs/busy/replay", recording);

        using var second = await PostRecordingAsync("api/runs/busy/replay", recording);

        first.StatusCode.Should().Be(HttpStatusCode.Accepted);
        second.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await second.Content.ReadFromJsonAsync<ErrorBody>())!.Message.Should().Contain("DELETE");
        (await Http.DeleteAsync("api/runs/busy/replay")).StatusCode.Should().Be(HttpStatusCode.NoContent);
        using var third = await PostRecordingAsync("api/runs/busy/replay", recording);
        third.StatusCode.Should().Be(HttpStatusCode.Accepted, "a cancelled replay makes room at once");
        (await Http.DeleteAsync("api/runs/busy/replay")).StatusCode.Should().Be(HttpStatusCode.NoContent);
    }

    [Theory]
    [InlineData("""{"t":2,"frame":{"x":{"pos":[[1,2]],"rot":[[1,0,0,0]]}}}""", "line 2: not a valid frame")]
    [InlineData("""{"t":2,"frame":{"x":{"pos":[[1,2,3]],"rot":[[1,0,0,0]]}}""", "line 2: not valid JSON")]
    [InlineData("""{"t":0,"frame":{"x":{"pos":[[1,2,3]],"rot":[[1,0,0,0]]}}}""", "line 2: 't' (0) is earlier")]
    [InlineData("""{"t":2}""", "line 2: missing 'frame'")]
    [InlineData("""{"frame":{"x":{"pos":[[1,2,3]],"rot":[[1,0,0,0]]}}}""", "line 2: missing 't'")]
    [InlineData("""{"t":"2","frame":{"x":{"pos":[[1,2,3]],"rot":[[1,0,0,0]]}}}""", "line 2: 't' must be")]
    [InlineData("""{"t":2,"frame":{"x":{"pos":[[1,2,3]],"rot":[[1,0,0,0]]}}} trailing""", "line 2: not valid JSON")]
    public async Task A_bad_line_gets_400_naming_it_and_nothing_reaches_the_viewers(string badLine, string expected)
    {
        await using var viewer = await RawClient.ConnectAsync(_server.WebSocket("ws/frame?run=bad-line"));
        await _server.ViewersJoinedAsync(1);
        var body = RecordingOf([1], [TestFrames.Numbered(1)]) + badLine + "\n" + RecordingOf([3], [TestFrames.Numbered(3)]);

        using var response = await PostRecordingAsync("api/runs/bad-line/replay", body);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await response.Content.ReadFromJsonAsync<ErrorBody>())!.Message.Should().StartWith(expected);
        _server.GetRequiredService<ReplayRunner>().IsReplaying("bad-line").Should().BeFalse();
        await viewer.ExpectNothingAsync(TimeSpan.FromMilliseconds(300));
    }

    [Theory]
    [InlineData(3_000)]
    [InlineData(200_000)]
    public async Task A_frame_larger_than_MaxFrameBytes_gets_400_naming_its_line(int padBytes)
    {
        await using var server = await ViewerTestServer.StartAsync(new Dictionary<string, string?> { ["Viewer:MaxFrameBytes"] = "2048" });
        var body = RecordingOf([1, 2], [TestFrames.Numbered(1), TestFrames.Numbered(2, padBytes)]);

        using var response = await PostRecordingAsync(server.Client, "api/runs/oversize/replay", body);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var message = (await response.Content.ReadFromJsonAsync<ErrorBody>())!.Message;
        message.Should().StartWith("line 2:").And.Contain("2048");
    }

    [Fact]
    public async Task A_recording_without_frames_gets_400()
    {
        using var response = await PostRecordingAsync("api/runs/empty/replay", "\n\n");

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await response.Content.ReadFromJsonAsync<ErrorBody>())!.Message.Should().Contain("no frames");
    }

    [Theory]
    [InlineData("0.05")]
    [InlineData("17")]
    [InlineData("fast")]
    [InlineData("-1")]
    [InlineData("NaN")]
    public async Task A_speed_outside_its_range_gets_400(string speed)
    {
        using var response = await PostRecordingAsync($"api/runs/speedy/replay?speed={speed}", RecordingOf([0], [TestFrames.Numbered(1)]));

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await response.Content.ReadFromJsonAsync<ErrorBody>())!.Message.Should().Contain("'speed'");
    }

    [Theory]
    [InlineData("text-plain", "text/plain", HttpStatusCode.UnsupportedMediaType)]
    [InlineData("form", "application/x-www-form-urlencoded", HttpStatusCode.UnsupportedMediaType)]
    [InlineData("jsonl", "application/jsonl", HttpStatusCode.Accepted)]
    [InlineData("ndjson", "application/x-ndjson; charset=utf-8", HttpStatusCode.Accepted)]
    [InlineData("json", "application/json", HttpStatusCode.Accepted)]
    public async Task A_recording_is_taken_as_JSON_Lines_or_JSON_and_nothing_a_browser_sends_cross_site(string run, string contentType, HttpStatusCode expected)
    {
        using var content = new StringContent(RecordingOf([0], [TestFrames.Numbered(1)]));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);

        using var response = await Http.PostAsync($"api/runs/{run}/replay", content);

        response.StatusCode.Should().Be(expected);
    }

    [Fact]
    public async Task A_recording_larger_than_the_JSON_body_limit_is_taken_up_to_its_own_limit()
    {
        var frames = Enumerable.Range(0, 100).Select(i => TestFrames.Numbered(i, padBytes: 2000)).ToList();
        var recording = RecordingOf(frames.Select((_, i) => (long)i).ToArray(), frames);
        Encoding.UTF8.GetByteCount(recording).Should().BeGreaterThan(64 * 1024, "larger than Viewer:MaxRequestBodyBytes");

        using var response = await PostRecordingAsync("api/runs/large/replay?speed=16", recording);

        response.StatusCode.Should().Be(HttpStatusCode.Accepted);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_recording_past_MaxReplayBytes_gets_413_and_nothing_reaches_the_viewers(bool declaredLength)
    {
        await using var server = await ViewerTestServer.StartAsync(new Dictionary<string, string?> { ["Viewer:MaxReplayBytes"] = "4096" });
        await using var viewer = await RawClient.ConnectAsync(server.WebSocket("ws/frame?run=too-large"));
        await server.ViewersJoinedAsync(1);
        var frames = Enumerable.Range(0, 20).Select(i => TestFrames.Numbered(i, padBytes: 500)).ToList();
        var bytes = Encoding.UTF8.GetBytes(RecordingOf(frames.Select((_, i) => (long)i).ToArray(), frames));
        using HttpContent content = declaredLength ? new ByteArrayContent(bytes) : new StreamContent(new UnknownLengthStream(bytes));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson");

        using var response = await server.Client.PostAsync("api/runs/too-large/replay", content);

        response.StatusCode.Should().Be(HttpStatusCode.RequestEntityTooLarge);
        (await response.Content.ReadFromJsonAsync<ErrorBody>())!.Message.Should().Contain("Viewer:MaxReplayBytes");
        await viewer.ExpectNothingAsync(TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public async Task Replays_end_when_the_server_stops_without_holding_the_stop_up()
    {
        var server = await ViewerTestServer.StartAsync();
        var replays = server.GetRequiredService<ReplayRunner>();
        using (var response = await PostRecordingAsync(server.Client, "api/runs/endless/replay", RecordingOf([0, 600_000], [TestFrames.Numbered(1), TestFrames.Numbered(2)])))
        {
            response.StatusCode.Should().Be(HttpStatusCode.Accepted);
        }

        var stopping = Stopwatch.StartNew();
        await server.DisposeAsync();

        stopping.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(4), "a replay waiting for its next frame does not delay the stop");
        await Eventually.HoldsAsync(() => !replays.IsReplaying("endless"), "the replay ended with the server");
    }

    // A request without a body still names a JSON type: the endpoint changes state, so a browser may not send it cross-site.
    private static StringContent EmptyJson() => new(string.Empty, Encoding.UTF8, "application/json");

    [Fact]
    public async Task With_keys_set_replaying_needs_the_streamer_key_and_recording_the_viewer_key()
    {
        const string streamerKey = "streamer-key-0123456789abcdef";
        const string viewerKey = "viewer-key-0123456789abcdef";
        await using var server = await ViewerTestServer.StartAsync(new Dictionary<string, string?> { ["Viewer:StreamerKey"] = streamerKey, ["Viewer:ViewerKey"] = viewerKey });
        var recording = RecordingOf([0, 60_000], [TestFrames.Numbered(1), TestFrames.Numbered(2)]);

        async Task<HttpStatusCode> SendAsync(HttpMethod method, string path, string? key, string? body = null)
        {
            using var request = new HttpRequestMessage(method, path);
            if (body is not null)
            {
                request.Content = new StringContent(body, Encoding.UTF8, "application/x-ndjson");
            }

            if (key is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
            }

            using var response = await server.Client.SendAsync(request);
            return response.StatusCode;
        }

        (await SendAsync(HttpMethod.Post, "api/runs/keyed/replay", null, recording)).Should().Be(HttpStatusCode.Unauthorized);
        (await SendAsync(HttpMethod.Post, "api/runs/keyed/replay", viewerKey, recording)).Should().Be(HttpStatusCode.Forbidden);
        server.GetRequiredService<ReplayRunner>().IsReplaying("keyed").Should().BeFalse();
        (await SendAsync(HttpMethod.Post, "api/runs/keyed/replay", streamerKey, recording)).Should().Be(HttpStatusCode.Accepted);
        (await SendAsync(HttpMethod.Delete, "api/runs/keyed/replay", null)).Should().Be(HttpStatusCode.Unauthorized);
        (await SendAsync(HttpMethod.Delete, "api/runs/keyed/replay", viewerKey)).Should().Be(HttpStatusCode.Forbidden);
        (await SendAsync(HttpMethod.Delete, "api/runs/keyed/replay", streamerKey)).Should().Be(HttpStatusCode.NoContent);
        (await SendAsync(HttpMethod.Get, "api/runs/keyed/recording", null)).Should().Be(HttpStatusCode.Unauthorized);
        (await SendAsync(HttpMethod.Get, "api/runs/keyed/recording", viewerKey)).Should().Be(HttpStatusCode.OK);
    }

    private Task<HttpResponseMessage> PostRecordingAsync(string path, string recording) => PostRecordingAsync(Http, path, recording);

    private static async Task<HttpResponseMessage> PostRecordingAsync(HttpClient http, string path, string recording)
    {
        using var content = new StringContent(recording, Encoding.UTF8, "application/x-ndjson");
        return await http.PostAsync(path, content);
    }

    /// <summary>A recording as the recording endpoint writes it.</summary>
    internal static string RecordingOf(long[] times, IReadOnlyList<string> frames) =>
        string.Concat(times.Select((time, i) => $$"""{"t":{{time}},"frame":{{frames[i]}}}""" + "\n"));

    private static async Task<List<(string Frame, long AtMs)>> ReceiveTimedAsync(Func<Task<string>> receive, int count)
    {
        var clock = Stopwatch.StartNew();
        var arrivals = new List<(string, long)>();
        for (var i = 0; i < count; i++)
        {
            var frame = await receive();
            arrivals.Add((frame, clock.ElapsedMilliseconds));
        }

        return arrivals;
    }

    private static async Task<bool> TryReceiveAsync(RawClient viewer, TimeSpan timeout)
    {
        try
        {
            await viewer.ReceiveAsync(timeout);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>A body sent chunked: the server learns its size only by reading it.</summary>
    private sealed class UnknownLengthStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
