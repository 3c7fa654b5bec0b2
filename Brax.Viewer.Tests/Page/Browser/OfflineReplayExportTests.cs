using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using Brax.Viewer.Hubs.State;
using Brax.Viewer.Server.Page;
using Brax.Viewer.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Brax.Viewer.Tests.Page.Browser;

/// <summary>
/// The offline replay file, written from the fixture scenes and frame streams and opened from disk
/// in a headless Chromium whose network is cut: it shows the scene, plays, pauses and scrubs, and
/// nothing leaves the file.
/// </summary>
[Collection(ChromiumGroup.Name)]
public sealed class OfflineReplayExportTests : IAsyncLifetime
{
    private const double Tolerance = 1e-6;
    private const long StartMs = 1_764_300_000_000;
    private const int FrameIntervalMs = 20;

    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    public static TheoryData<string> Scenes => new(BraxFixtures.Scenes);

    public async Task InitializeAsync()
    {
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumFixture.ExecutablePath,
            Headless = true,
            // No name resolves: a request to anywhere but the file would fail, and show in the log.
            Args = [.. ChromiumFixture.Flags, "--host-resolver-rules=MAP * ~NOTFOUND"],
        });
    }

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }

    [Fact]
    public async Task Export_opened_offline_shows_the_scene_plays_pauses_and_scrubs_without_a_request()
    {
        var path = await ExportAsync("cartpole", withInfo: false);
        await using var replay = await ReplaySession.OpenAsync(_browser, path);
        var frames = BraxFixtures.Frames("cartpole");

        (await replay.PosesAsync()).Should().HaveCount(BraxFixtures.Links("cartpole"), "the replay shows every body of the scene");
        (await replay.TimelineAsync()).GetProperty("frames").GetInt32().Should().Be(frames.Length);
        await AssertShowsAsync(replay, frames[..1], BraxFixtures.Links("cartpole"), "the replay opens at its first frame");

        var before = await replay.PosesAsync();
        await replay.Page.GetByRole(AriaRole.Button, new() { Name = "Play (space)" }).ClickAsync();
        await replay.WaitForAsync($"window.braxReplay.poses()[0].pos[0] !== {before[0][0].ToString("R", System.Globalization.CultureInfo.InvariantCulture)}");

        await replay.Page.GetByRole(AriaRole.Button, new() { Name = "Pause (space)" }).ClickAsync();
        await replay.WaitForAsync("window.braxReplay.timeline.mode === 'paused'");
        var paused = await replay.PosesAsync();
        var ticks = await replay.Page.EvaluateAsync<int>("window.braxReplay.ticks");
        await replay.WaitForAsync($"window.braxReplay.ticks >= {ticks + 20}");
        (await replay.PosesAsync()).Should().BeEquivalentTo(paused, "a paused replay holds its pose through 20 animation frames");

        await replay.Page.GetByLabel("Position in the recording").FillAsync("60");
        await replay.WaitForAsync("window.braxReplay.timeline.seq === 60");
        await AssertShowsAsync(replay, frames[..61], BraxFixtures.Links("cartpole"), "the scrub bar moved the replay to frame 60");

        await replay.Page.GetByLabel("Speed").SelectOptionAsync("4");
        (await replay.TimelineAsync()).GetProperty("speed").GetDouble().Should().Be(4);
        replay.AssertOffline(path);
    }

    [Theory]
    [MemberData(nameof(Scenes))]
    public async Task Export_of_each_fixture_replays_every_body_to_the_last_frame(string scene)
    {
        var path = await ExportAsync(scene, withInfo: true);
        await using var replay = await ReplaySession.OpenAsync(_browser, path);
        var frames = BraxFixtures.Frames(scene);
        var links = BraxFixtures.Links(scene);
        (await replay.PosesAsync()).Should().HaveCount(links);

        await replay.Page.GetByLabel("Speed").SelectOptionAsync("4");
        await replay.Page.Keyboard.PressAsync(" ");

        // Played to the end, the replay stops at its last frame, every env at its own newest.
        await replay.WaitForAsync($"window.braxReplay.timeline.mode === 'paused' && window.braxReplay.timeline.seq === {frames.Length - 1}", 20_000);
        await AssertShowsAsync(replay, frames, links, "the replay ends at the last frame of every env");
        await replay.Page.ScreenshotAsync(new() { Path = Path.Combine(ChromiumFixture.ArtifactsDirectory, $"replay-{scene}.png") });
        replay.AssertOffline(path);
    }

    [Fact]
    public async Task A_script_end_tag_in_the_scene_stays_data()
    {
        var system = Encoding.UTF8.GetString(BraxFixtures.System("cartpole"))
            .Replace("\"pole\"", "\"</script><script>window.__injected = 1</script><!--\"", StringComparison.Ordinal);
        var path = await ExportAsync("cartpole", withInfo: false, Encoding.UTF8.GetBytes(system));
        await using var replay = await ReplaySession.OpenAsync(_browser, path);

        var names = (await replay.Page.EvaluateAsync<string[]>("window.braxReplay.poses().map((p) => p.name)"));
        names.Should().Contain("</script><script>window.__injected = 1</script><!--", "the name arrives as written");
        (await replay.Page.EvaluateAsync<bool>("window.__injected === undefined")).Should().BeTrue("nothing in the data runs");
        replay.AssertOffline(path);
    }

    [Fact]
    public async Task The_servers_html_recording_of_a_streamed_run_replays_it_offline()
    {
        await using var server = await ViewerTestServer.StartAsync();
        var frames = BraxFixtures.Frames("cartpole_batched4");
        using var scene = new ByteArrayContent(BraxFixtures.System("cartpole_batched4"));
        scene.Headers.ContentType = new("application/json");
        (await server.Client.PutAsync("api/runs/exported/system", scene)).EnsureSuccessStatusCode();
        await using (var streamer = await RawClient.ConnectAsync(server.WebSocket("ws/frame?is_streamer=true&run=exported")))
        {
            foreach (var frame in frames)
            {
                await streamer.SendAsync(frame);
            }

            await Runs.RecordingApiTests.HistoryHoldsAsync(server, "exported", frames.Length);
        }

        using var response = await server.Client.GetAsync("api/runs/exported/recording?format=html");
        response.StatusCode.Should().Be(System.Net.HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("text/html");
        response.Content.Headers.ContentDisposition!.DispositionType.Should().Be("attachment");
        response.Content.Headers.ContentDisposition.FileNameStar.Should().Be("exported.html");
        response.Headers.GetValues("Content-Security-Policy").Should().Equal([OfflineReplayExport.ContentSecurityPolicy], "the file's own policy replaces the server's, which forbids its inline script");
        var path = Path.Combine(ChromiumFixture.ArtifactsDirectory, "replay-from-server.html");
        await File.WriteAllBytesAsync(path, await response.Content.ReadAsByteArrayAsync());

        await using var replay = await ReplaySession.OpenAsync(_browser, path);
        var links = BraxFixtures.Links("cartpole_batched4");
        (await replay.PosesAsync()).Should().HaveCount(links, "the run's scene is inlined");
        (await replay.TimelineAsync()).GetProperty("frames").GetInt32().Should().Be(frames.Length, "every frame of the run's history is inlined");
        await replay.Page.GetByLabel("Speed").SelectOptionAsync("4");
        await replay.Page.Keyboard.PressAsync(" ");
        await replay.WaitForAsync($"window.braxReplay.timeline.mode === 'paused' && window.braxReplay.timeline.seq === {frames.Length - 1}", 20_000);
        await AssertShowsAsync(replay, frames, links, "the replay ends at the run's last frame of every env");
        replay.AssertOffline(path);
    }

    /// <summary>Writes the fixture's export through a pipe into a file beside the screenshots.</summary>
    private static async Task<string> ExportAsync(string scene, bool withInfo, byte[]? system = null)
    {
        system ??= BraxFixtures.System(scene);
        var frames = BraxFixtures.Frames(scene)
            .Select((frame, i) => (StartMs + (i * FrameIntervalMs), (ReadOnlyMemory<byte>)Encoding.UTF8.GetBytes(frame)))
            .ToArray();
        var path = Path.Combine(ChromiumFixture.ArtifactsDirectory, $"replay-{scene}{(withInfo ? "" : "-scene-only")}.html");
        await using (var file = File.Create(path))
        {
            var output = PipeWriter.Create(file);
            if (withInfo)
            {
                var links = BraxFixtures.Links(scene);
                int? envs = scene == "cartpole_batched4" ? 4 : null;
                await OfflineReplayExport.WriteAsync(output, new StoredScene(system, new SceneInfo("t", links, envs, envs is { } n ? links / n : null, system.Length)), frames, CancellationToken.None);
            }
            else
            {
                await OfflineReplayExport.WriteAsync(output, system, frames, CancellationToken.None);
            }

            await output.CompleteAsync();
        }

        return path;
    }

    /// <summary>The page shows, for every link, its pose in the newest of <paramref name="frames"/> that moves it.</summary>
    private static async Task AssertShowsAsync(ReplaySession replay, string[] frames, int links, string because)
    {
        var expected = new Dictionary<int, double[]>();
        foreach (var frame in frames)
        {
            var root = JsonDocument.Parse(frame).RootElement;
            var pos = root.GetProperty("x").GetProperty("pos");
            var first = pos.GetArrayLength() >= links ? 0 : (root.TryGetProperty("env_id", out var env) ? env.GetInt32() : 0) * pos.GetArrayLength();
            for (var i = 0; i < Math.Min(pos.GetArrayLength(), links); i++)
            {
                expected[first + i] = pos[i].EnumerateArray().Select(v => v.GetDouble()).ToArray();
            }
        }

        var poses = await replay.PosesAsync();
        foreach (var (link, pos) in expected)
        {
            poses[link].Should().Equal(pos, (a, b) => Math.Abs(a - b) < Tolerance, "link {0}: {1}", link, because);
        }
    }

    /// <summary>The replay file in its own browser context, with every request and console error recorded.</summary>
    private sealed class ReplaySession : IAsyncDisposable
    {
        private readonly IBrowserContext _context;
        private readonly ConcurrentQueue<string> _requests = new();
        private readonly ConcurrentQueue<string> _errors = new();

        private ReplaySession(IBrowserContext context, IPage page)
        {
            _context = context;
            Page = page;
        }

        public IPage Page { get; }

        public static async Task<ReplaySession> OpenAsync(IBrowser browser, string path)
        {
            // Offline as well: the browser's own emulation refuses every network request too.
            var context = await browser.NewContextAsync(new BrowserNewContextOptions { Offline = true, ViewportSize = new ViewportSize { Width = 1000, Height = 640 } });
            // The policy's refusals, recorded from before the file's own script runs.
            await context.AddInitScriptAsync("window.__violations = []; document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));");
            var page = await context.NewPageAsync();
            var session = new ReplaySession(context, page);
            context.Request += (_, request) => session._requests.Enqueue(request.Url);
            page.WebSocket += (_, socket) => session._requests.Enqueue(socket.Url);
            page.Console += (_, message) =>
            {
                if (message.Type == "error")
                {
                    session._errors.Enqueue($"{message.Text} [{message.Location}]");
                }
            };
            page.PageError += (_, error) => session._errors.Enqueue("uncaught: " + error);
            await page.GotoAsync(new Uri(path).AbsoluteUri);
            await session.WaitForAsync("window.braxReplay?.state === 'ready' && window.braxReplay.renders > 0");
            return session;
        }

        public async Task WaitForAsync(string condition, float timeoutMs = 10_000)
            => await Page.WaitForFunctionAsync($"() => {{ try {{ return !!({condition}); }} catch {{ return false; }} }}", null, new PageWaitForFunctionOptions { Timeout = timeoutMs, PollingInterval = 50 });

        public async Task<JsonElement> TimelineAsync() => await Page.EvaluateAsync<JsonElement>("() => window.braxReplay.timeline");

        public async Task<Dictionary<int, double[]>> PosesAsync()
        {
            var json = await Page.EvaluateAsync<JsonElement>("() => window.braxReplay.poses()");
            return json.EnumerateArray().ToDictionary(p => p.GetProperty("linkIdx").GetInt32(), p => p.GetProperty("pos").EnumerateArray().Select(v => v.GetDouble()).ToArray());
        }

        /// <summary>Only the file itself was loaded, nothing was refused by its policy, and nothing logged an error.</summary>
        public void AssertOffline(string path)
        {
            // The file's own load is in the log, so the log sees requests at all.
            _requests.Should().Contain(new Uri(path).AbsoluteUri).And.OnlyContain(url => url == new Uri(path).AbsoluteUri, "the replay loads nothing but itself");
            Page.EvaluateAsync<string[]>("window.__violations").Result.Should().BeEmpty("the file's policy allows its own script and style and it asks for nothing else");
            _errors.Should().BeEmpty();
        }

        public async ValueTask DisposeAsync() => await _context.DisposeAsync();
    }
}
