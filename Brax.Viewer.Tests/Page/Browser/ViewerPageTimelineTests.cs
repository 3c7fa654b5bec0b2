using System.Globalization;
using System.Text.Json;
using Brax.Viewer.Tests.Infrastructure;

namespace Brax.Viewer.Tests.Page.Browser;

/// <summary>
/// The page's timeline in headless Chromium against the real server: pause, scrub, speed and live,
/// over the frames the page received from a real streamer.
/// </summary>
[Collection(ChromiumGroup.Name)]
public sealed class ViewerPageTimelineTests(ChromiumFixture chromium)
{
    private const double Tolerance = 1e-6;

    private ViewerTestServer Server => chromium.Server;

    [Fact]
    public async Task Space_pauses_and_the_pose_holds_while_frames_keep_arriving()
    {
        await using var page = await OpenAsync("timeline-pause");
        using var streamer = await RawStreamer.ConnectAsync(Server.BaseUri, "timeline-pause");
        await using var stream = PacedStream.Start(streamer);
        await page.WaitForAsync("window.braxViewer.timeline.frames >= 20");

        await page.Page.Keyboard.PressAsync(" ");

        await page.WaitForAsync("window.braxViewer.timeline.mode === 'paused'", 5000);
        var held = await page.PosesAsync();
        var paused = await TimelineAsync(page);
        var shown = await HistoryFrameAsync(page, paused.GetProperty("seq").GetInt32());
        held[0].Pos.Should().Equal(shown.Pos[0], Close, "the pause shows the frame it stopped at");
        await page.WaitForAsync($"window.braxViewer.timeline.newestSeq >= {paused.GetProperty("newestSeq").GetInt32() + 25}", 10_000);
        (await page.PosesAsync()).Should().BeEquivalentTo(held, "frames that arrive during a pause are kept, not shown");
        (await TimelineAsync(page)).GetProperty("seq").GetInt32().Should().Be(paused.GetProperty("seq").GetInt32());
        (await page.Page.Locator("#timeline-play").TextContentAsync()).Should().Be("Play");
        page.AssertClean(Server.BaseUri);
    }

    [Fact]
    public async Task Scrub_back_shows_an_earlier_streamed_frame()
    {
        await using var page = await OpenAsync("timeline-scrub");
        using var streamer = await RawStreamer.ConnectAsync(Server.BaseUri, "timeline-scrub");
        await using (var stream = PacedStream.Start(streamer))
        {
            await page.WaitForAsync("window.braxViewer.timeline.frames >= 60");
            await page.Page.Locator("#timeline-play").ClickAsync();
            await page.WaitForAsync("window.braxViewer.timeline.mode === 'paused'", 5000);
        }

        var state = await TimelineAsync(page);
        var newest = await HistoryFrameAsync(page, state.GetProperty("newestSeq").GetInt32());
        var target = state.GetProperty("oldestSeq").GetInt32() + 10;

        await page.Page.Locator("#timeline-scrub").FillAsync(target.ToString(System.Globalization.CultureInfo.InvariantCulture));

        await page.WaitForAsync($"window.braxViewer.timeline.seq === {target}", 5000);
        var poses = await page.PosesAsync();
        var index = PacedStream.IndexOf(poses[0].Pos[0]);
        index.Should().BeLessThan(PacedStream.IndexOf(newest.Pos[0][0]) - 5, "the scrub went back to an earlier frame");
        var expected = JsonDocument.Parse(PacedStream.Frame(index)).RootElement.GetProperty("x");
        for (var link = 0; link < 2; link++)
        {
            poses[link].Pos.Should().Equal(Numbers(expected.GetProperty("pos")[link]), Close, "link {0} shows streamed frame {1} as sent", link, index);
            Math.Abs(Math.Abs(Dot(poses[link].Rot, Numbers(expected.GetProperty("rot")[link]))) - 1).Should().BeLessThan(1e-9);
        }

        page.AssertClean(Server.BaseUri);
    }

    [Fact]
    public async Task Playing_at_four_times_speed_runs_sixteen_times_as_fast_as_at_a_quarter()
    {
        await using var page = await OpenAsync("timeline-speed");
        using var streamer = await RawStreamer.ConnectAsync(Server.BaseUri, "timeline-speed");
        await using (var stream = PacedStream.Start(streamer))
        {
            // 4× for the measured second plays 4 s of stream, plus whatever plays while the page is
            // asked to measure and while a loaded machine fires the one-second timer late: 10 s of
            // history leaves 1.5 s of such slack where 6 s left 0.5 s, and the run reached the end.
            await page.WaitForAsync("window.braxViewer.timeline.newestT - window.braxViewer.timeline.oldestT >= 10000", 30_000);
            await page.Page.Keyboard.PressAsync(" ");
            await page.WaitForAsync("window.braxViewer.timeline.mode === 'paused'", 5000);
        }

        var quarter = await PaceAsync(page, "0.25");
        var four = await PaceAsync(page, "4");

        quarter.Pace.Should().BeInRange(0.25 * 0.8, 0.25 * 1.2, "at 0.25× a second plays a quarter second of the stream");
        four.Pace.Should().BeInRange(4 * 0.8, 4 * 1.2, "at 4× a second plays four seconds of the stream");
        quarter.Frames.Should().BePositive("playing shows frame after frame");
        four.Frames.Should().BeGreaterThan(quarter.Frames * 4, "at 4× the same second shows many times the frames");
        page.AssertClean(Server.BaseUri);
    }

    [Fact]
    public async Task Live_returns_to_the_newest_frame_and_follows_the_stream_again()
    {
        await using var page = await OpenAsync("timeline-live");
        using var streamer = await RawStreamer.ConnectAsync(Server.BaseUri, "timeline-live");
        int last;
        await using (var stream = PacedStream.Start(streamer))
        {
            await page.WaitForAsync("window.braxViewer.timeline.frames >= 30");
            await page.Page.Locator("#timeline-play").ClickAsync();
            await page.WaitForAsync("window.braxViewer.timeline.mode === 'paused'", 5000);
            await page.Page.Locator("#timeline-scrub").FillAsync((await TimelineAsync(page)).GetProperty("oldestSeq").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture));
            var seq = (await TimelineAsync(page)).GetProperty("newestSeq").GetInt32();
            await page.WaitForAsync($"window.braxViewer.timeline.newestSeq >= {seq + 20}", 10_000);
            last = await stream.StopAsync();
        }

        // The client always delivers the newest frame: wait until it is the history's newest.
        await page.WaitForAsync($"Math.abs(window.braxViewer.historyFrame(window.braxViewer.timeline.newestSeq).pos[0][0] - {last * PacedStream.Step}) < 1e-9", 10_000);
        PacedStream.IndexOf((await page.PosesAsync())[0].Pos[0]).Should().BeLessThan(last - 20, "the page still shows the past");

        await page.Page.Locator("#timeline-live").ClickAsync();

        await page.WaitForAsync("window.braxViewer.timeline.mode === 'live'", 5000);
        PacedStream.IndexOf((await page.PosesAsync())[0].Pos[0]).Should().Be(last, "live shows the newest frame at once");
        (await page.Page.Locator("#timeline-time").TextContentAsync()).Should().Be("live");
        await streamer.SendAsync(PacedStream.Frame(last + 7));
        await page.WaitForAsync($"Math.abs(window.braxViewer.poses()[0].pos[0] - {(last + 7) * PacedStream.Step}) < 1e-9", 5000);
        page.AssertClean(Server.BaseUri);
    }

    [Fact]
    public async Task Scrubbing_a_batched_scene_shows_every_env_at_its_newest_frame_up_to_that_point()
    {
        const string run = "timeline-batched";
        await ViewerPageTests.PutSceneAsync(Server, run + "&num_envs=4", BraxFixtures.System("cartpole_batched4"));
        await using var page = await ViewerPageSession.OpenAsync(chromium.Browser, Server.Http($"/?run={run}"));
        await page.WaitForViewerAsync();
        await page.WaitForConnectedAsync();
        using var streamer = await RawStreamer.ConnectAsync(Server.BaseUri, run);
        var frames = BraxFixtures.Frames("cartpole_batched4");
        foreach (var frame in frames)
        {
            await streamer.SendAsync(frame);
            await Task.Delay(10);
        }

        // Frames that reach a busy page in one burst are taken newest per env, as live: not all 120 stay.
        await page.WaitForAsync("window.braxViewer.timeline.frames >= 16");
        await page.Page.Keyboard.PressAsync(" ");
        await page.WaitForAsync("window.braxViewer.timeline.mode === 'paused'", 5000);
        var state = await TimelineAsync(page);
        var oldest = state.GetProperty("oldestSeq").GetInt32();
        var target = oldest + ((state.GetProperty("newestSeq").GetInt32() - oldest) / 2);

        await page.Page.Locator("#timeline-scrub").FillAsync(target.ToString(System.Globalization.CultureInfo.InvariantCulture));

        await page.WaitForAsync($"window.braxViewer.timeline.seq === {target}", 5000);
        var poses = await page.PosesAsync();
        var expected = new Dictionary<int, double[]>();
        for (var seq = target; seq >= oldest && expected.Count < 8; seq--)
        {
            var entry = await HistoryFrameAsync(page, seq);
            entry.Pos.Length.Should().Be(2, "each frame of this stream holds one env's two links");
            frames.Should().Contain(f => SamePositions(f, entry.Pos), "the history holds frames as they were streamed");
            for (var i = 0; i < entry.Pos.Length; i++)
            {
                expected.TryAdd(entry.First + i, entry.Pos[i]);
            }
        }

        expected.Keys.Should().BeEquivalentTo(Enumerable.Range(0, 8), "every env streamed before the midpoint");
        foreach (var (link, pos) in expected)
        {
            poses[link].Pos.Should().Equal(pos, Close, "link {0} shows its env's newest frame up to the scrub", link);
        }

        page.AssertClean(Server.BaseUri);
    }

    [Fact]
    public async Task History_keeps_at_most_64_MiB_of_frame_text_dropping_the_oldest()
    {
        const string run = "timeline-budget";
        const int budget = 64 * 1024 * 1024;
        const int count = 80;
        await using var page = await OpenAsync(run);
        using var streamer = await RawStreamer.ConnectAsync(Server.BaseUri, run);
        // Frames of 1 MiB: a brax frame may carry more than poses (q, qd, contacts), all of it counted.
        var padding = new string('0', 1024 * 1024);
        for (var i = 0; i < count; i++)
        {
            await streamer.SendAsync(PacedStream.Frame(i)[..^1] + $", \"padding\": \"{padding}\"}}");
            // One at a time, so the server never has to skip one for a slow page.
            await page.WaitForAsync($"window.braxViewer.historyFrame(window.braxViewer.timeline.newestSeq)?.pos[0][0] === {(i * PacedStream.Step).ToString("R", CultureInfo.InvariantCulture)}", 10_000);
        }

        var state = await TimelineAsync(page);
        state.GetProperty("bytes").GetInt64().Should().BeLessThanOrEqualTo(budget);
        state.GetProperty("dropped").GetInt32().Should().BePositive("80 MiB of frames do not fit");
        var oldest = PacedStream.IndexOf((await HistoryFrameAsync(page, state.GetProperty("oldestSeq").GetInt32())).Pos[0][0]);
        oldest.Should().BeGreaterThan(0, "the oldest frames went first");
        (state.GetProperty("newestSeq").GetInt32() - state.GetProperty("oldestSeq").GetInt32() + 1).Should().Be(count - oldest, "every frame after the oldest kept is still there");
        page.AssertClean(Server.BaseUri);
    }

    [Fact]
    public async Task First_pause_puts_the_frames_from_before_the_page_joined_in_front()
    {
        const string run = "backfill";
        const int before = 100;
        // The server records the frames sent before the page opens; the page's first pause asks for them.
        await using var server = await ViewerTestServer.StartAsync();
        await ViewerPageTests.PutSceneAsync(server, run, BraxFixtures.System("cartpole"));
        using var streamer = await RawStreamer.ConnectAsync(server.BaseUri, run);
        for (var i = 0; i < before; i++)
        {
            await streamer.SendAsync(PacedStream.Frame(i));
        }

        await using var page = await ViewerPageSession.OpenAsync(chromium.Browser, server.Http($"/?run={run}"));
        await page.WaitForViewerAsync();
        await page.WaitForConnectedAsync();
        await using (var stream = PacedStream.Start(streamer, first: before))
        {
            await page.WaitForAsync("window.braxViewer.timeline.frames >= 20");
            await page.Page.Keyboard.PressAsync(" ");
            await page.WaitForAsync($"window.braxViewer.historyFrame(window.braxViewer.timeline.oldestSeq)?.pos[0][0] === 0", 10_000);
        }

        var state = await TimelineAsync(page);
        var indexes = new List<int>();
        for (var seq = state.GetProperty("oldestSeq").GetInt32(); seq <= state.GetProperty("newestSeq").GetInt32(); seq++)
        {
            indexes.Add(PacedStream.IndexOf((await HistoryFrameAsync(page, seq)).Pos[0][0]));
        }

        indexes.Should().StartWith(Enumerable.Range(0, before + 10), "the recording's frames from before the join come first, then the page's own, each once");
        indexes.Should().BeInAscendingOrder();

        await page.Page.Locator("#timeline-scrub").FillAsync(state.GetProperty("oldestSeq").GetInt32().ToString(CultureInfo.InvariantCulture));
        await page.WaitForAsync("window.braxViewer.poses()[0].pos[0] === 0", 5000);
        page.AssertClean(server.BaseUri);
    }

    private async Task<ViewerPageSession> OpenAsync(string run)
    {
        var page = await chromium.OpenViewerAsync(run, BraxFixtures.System("cartpole"));
        await page.WaitForConnectedAsync();
        return page;
    }

    /// <summary>
    /// From the oldest frame, plays for a second at <paramref name="speed"/>: stream time played per
    /// wall-clock time, and how many frames were shown on the way.
    /// </summary>
    private static async Task<(double Pace, int Frames)> PaceAsync(ViewerPageSession page, string speed)
    {
        await page.Page.Locator("#timeline-scrub").FillAsync((await TimelineAsync(page)).GetProperty("oldestSeq").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture));
        await page.Page.Locator("#timeline-speed").SelectOptionAsync(speed);
        await page.Page.Locator("#timeline-play").ClickAsync();
        await page.WaitForAsync("window.braxViewer.timeline.mode === 'playing'", 5000);
        var measured = await page.EvalAsync<JsonElement>("""
            (async () => {
              const before = window.braxViewer.timeline;
              const start = performance.now();
              await new Promise((resolve) => setTimeout(resolve, 1000));
              const after = window.braxViewer.timeline;
              return { pace: (after.t - before.t) / (performance.now() - start), frames: after.seq - before.seq, mode: after.mode };
            })()
            """);
        measured.GetProperty("mode").GetString().Should().Be("playing", "the history is long enough to play through the whole second");
        await page.Page.Locator("#timeline-play").ClickAsync();
        await page.WaitForAsync("window.braxViewer.timeline.mode === 'paused'", 5000);
        return (measured.GetProperty("pace").GetDouble(), measured.GetProperty("frames").GetInt32());
    }

    internal static async Task<JsonElement> TimelineAsync(ViewerPageSession page)
        => await page.Page.EvaluateAsync<JsonElement>("() => window.braxViewer.timeline");

    private static async Task<(int First, double[][] Pos)> HistoryFrameAsync(ViewerPageSession page, int seq)
    {
        var entry = await page.Page.EvaluateAsync<JsonElement>($"() => window.braxViewer.historyFrame({seq})");
        entry.ValueKind.Should().Be(JsonValueKind.Object, "frame {0} is in the history", seq);
        return (entry.GetProperty("first").GetInt32(), entry.GetProperty("pos").EnumerateArray().Select(Numbers).ToArray());
    }

    private static bool SamePositions(string frame, double[][] pos)
    {
        var streamed = JsonDocument.Parse(frame).RootElement.GetProperty("x").GetProperty("pos");
        return streamed.GetArrayLength() == pos.Length
            && pos.Select((p, i) => Numbers(streamed[i]).Zip(p, (a, b) => Math.Abs(a - b) < Tolerance).All(x => x)).All(x => x);
    }

    private static double[] Numbers(JsonElement array) => array.EnumerateArray().Select(v => v.GetDouble()).ToArray();

    private static double Dot(double[] a, double[] b) => a.Zip(b, (x, y) => x * y).Sum();

    private static bool Close(double actual, double expected) => Math.Abs(actual - expected) < Tolerance;
}
