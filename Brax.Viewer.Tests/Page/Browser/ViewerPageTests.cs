using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using Brax.Viewer.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Brax.Viewer.Tests.Page.Browser;

/// <summary>The viewer page in headless Chromium against the real server.</summary>
[Collection(ChromiumGroup.Name)]
public sealed class ViewerPageTests(ChromiumFixture chromium)
{
    private const double Tolerance = 1e-4;
    private static readonly (byte R, byte G, byte B) Background = (0x1d, 0x27, 0x33);

    public static TheoryData<string> Scenes => new(BraxFixtures.Scenes);

    private ViewerTestServer Server => chromium.Server;

    [Theory]
    [MemberData(nameof(Scenes))]
    public async Task Each_fixture_scene_renders_at_its_first_state(string scene)
    {
        var run = "render-" + scene;
        await using var page = await chromium.OpenViewerAsync(run, BraxFixtures.System(scene));
        var image = await page.ScreenshotAsync("scene-" + scene);
        var poses = await page.PosesAsync();

        CoveredFraction(image).Should().BeGreaterThan(0.2, "the canvas must show the scene, not a blank background");
        DistinctColours(image).Should().BeGreaterThan(10);
        // Every body of the scene, from the fixture: a page that drew only some of them must fail here.
        var first = JsonNode.Parse(BraxFixtures.System(scene))!["states"]!["x"]![0]!;
        var positions = first["pos"]!.AsArray();
        var rotations = first["rot"]!.AsArray();
        positions.Should().HaveCount(BraxFixtures.Links(scene), "states.x[0] places every link of the scene");
        poses.Keys.Should().BeEquivalentTo(Enumerable.Range(0, positions.Count), "the page shows every body of the scene, and only those");
        for (var link = 0; link < positions.Count; link++)
        {
            var pose = poses[link];
            pose.Pos.Should().Equal(positions[link]!.AsArray().Select(v => v!.GetValue<double>()), Close, "link {0} starts at states.x[0]", link);
            var rotation = Normalised(rotations[link]!.AsArray().Select(v => v!.GetValue<double>()).ToArray());
            Math.Abs(Math.Abs(Dot(pose.Rot, rotation)) - 1).Should().BeLessThan(Tolerance, "link {0} starts with the rotation of states.x[0]", link);
        }

        page.AssertClean(Server.BaseUri);
    }

    [Theory]
    [MemberData(nameof(Scenes))]
    public async Task Streamed_fixture_frames_move_the_bodies_as_the_frames_say(string scene)
    {
        var run = "stream-" + scene;
        await using var page = await chromium.OpenViewerAsync(run, BraxFixtures.System(scene));
        await page.WaitForConnectedAsync();
        var before = await page.PosesAsync();
        var frames = BraxFixtures.Frames(scene);
        var links = BraxFixtures.Links(scene);

        using var streamer = await RawStreamer.ConnectAsync(Server.BaseUri, run);
        var middle = frames[..(frames.Length / 2)];
        await StreamUntilShownAsync(page, streamer, middle, links);
        await StreamUntilShownAsync(page, streamer, frames, links);

        var expected = ExpectedPoses(frames, links);
        expected.Any(e => before.TryGetValue(e.Key, out var b) && Distance(b.Pos, e.Value.Pos) > 0.01)
            .Should().BeTrue("the stream must move something for this test to mean anything");
        await page.ScreenshotAsync("streamed-" + scene);
        page.AssertClean(Server.BaseUri);
    }

    [Fact]
    public async Task Batched_scene_with_an_explicit_env_count_places_each_env_by_env_id()
    {
        const string run = "batched-explicit";
        await PutSceneAsync(Server, run + "&num_envs=4", BraxFixtures.System("cartpole_batched4"));
        await using var page = await ViewerPageSession.OpenAsync(chromium.Browser, Server.Http($"/?run={run}"));
        await page.WaitForViewerAsync();
        await page.WaitForConnectedAsync();

        using var streamer = await RawStreamer.ConnectAsync(Server.BaseUri, run);
        await StreamUntilShownAsync(page, streamer, BraxFixtures.Frames("cartpole_batched4"), BraxFixtures.Links("cartpole_batched4"));

        page.AssertClean(Server.BaseUri);
    }

    [Fact]
    public async Task Toggle_in_one_page_reaches_a_second_page_and_the_http_api()
    {
        const string run = "toggle";
        await PutSceneAsync(Server, run, BraxFixtures.System("cartpole"));
        await using var first = await ViewerPageSession.OpenAsync(chromium.Browser, Server.Http($"/?run={run}"));
        await using var second = await ViewerPageSession.OpenAsync(chromium.Browser, Server.Http($"/?run={run}"));
        using var http = new HttpClient { BaseAddress = Server.BaseUri };
        await first.WaitForConnectedAsync();
        await second.WaitForConnectedAsync();
        await second.WaitForAsync("window.braxViewer.rendering === true");

        await first.Page.Locator("#render-toggle").UncheckAsync();

        await second.WaitForAsync("window.braxViewer.rendering === false && !document.getElementById('render-toggle').checked", 5000);
        (await RenderingEnabledAsync(http, run)).Should().BeFalse();
        (await second.Page.Locator("#render-paused").IsVisibleAsync()).Should().BeTrue();

        await http.PostAsJsonAsync($"/api/rendering_status?run={run}", new { rendering_enabled = true });
        await first.WaitForAsync("window.braxViewer.rendering === true", 5000);
        await second.WaitForAsync("window.braxViewer.rendering === true", 5000);
        first.AssertClean(Server.BaseUri);
        second.AssertClean(Server.BaseUri);
    }

    [Fact]
    public async Task Waiting_page_becomes_the_viewer_when_a_scene_is_put()
    {
        const string run = "waiting";
        await using var page = await ViewerPageSession.OpenAsync(chromium.Browser, Server.Http($"/?run={run}"));
        await page.WaitForAsync("window.braxViewer.connections.control === 'open'");
        (await page.EvalAsync<string>("window.braxViewer.state")).Should().Be("waiting");
        (await page.Page.Locator("#waiting").IsVisibleAsync()).Should().BeTrue();
        await page.ScreenshotAsync("waiting");

        await PutSceneAsync(Server, run, BraxFixtures.System("ant"));

        await page.WaitForViewerAsync();
        (await page.Page.Locator("#waiting").IsVisibleAsync()).Should().BeFalse();
        (await page.PosesAsync()).Should().HaveCount(9);
        page.AssertClean(Server.BaseUri);
    }

    [Fact]
    public async Task New_scene_replaces_the_shown_one_without_a_reload()
    {
        const string run = "replace";
        await using var page = await chromium.OpenViewerAsync(run, BraxFixtures.System("cartpole"));
        await page.EvalAsync<int>("window.__sameDocument = 42");

        await PutSceneAsync(Server, run, BraxFixtures.System("arm"));

        await page.WaitForAsync("window.braxViewer.poses().length === 4");
        (await page.EvalAsync<int>("window.__sameDocument")).Should().Be(42, "the page rebuilt in place");
        page.AssertClean(Server.BaseUri);
    }

    [Fact]
    public async Task Page_reconnects_and_resynchronises_after_the_server_restarts()
    {
        var port = FreePort();
        var settings = new Dictionary<string, string?> { ["urls"] = $"http://127.0.0.1:{port}" };
        var server = await ViewerTestServer.StartAsync(settings);
        ViewerPageSession? page = null;
        try
        {
            await PutSceneAsync(server, "default", BraxFixtures.System("cartpole"));
            page = await ViewerPageSession.OpenAsync(chromium.Browser, server.Http("/"));
            await page.WaitForViewerAsync();
            await page.WaitForConnectedAsync();

            await server.DisposeAsync();
            await page.WaitForAsync("window.braxViewer.connections.control !== 'open'", 10_000);
            server = await ViewerTestServer.StartAsync(settings);
            await PutSceneAsync(server, "default", BraxFixtures.System("arm"));
            using (var http = new HttpClient { BaseAddress = server.BaseUri })
            {
                (await http.PostAsJsonAsync("/api/rendering_status", new { rendering_enabled = false })).EnsureSuccessStatusCode();
            }

            await page.WaitForAsync("window.braxViewer.connections.control === 'open' && window.braxViewer.connections.frame === 'open'", 15_000);
            await page.WaitForAsync("window.braxViewer.poses().length === 4 && window.braxViewer.rendering === false", 10_000);
            using var streamer = await RawStreamer.ConnectAsync(server.BaseUri, "default");
            await StreamUntilShownAsync(page, streamer, BraxFixtures.Frames("arm")[..10], BraxFixtures.Links("arm"));

            // Refused connections while the server is down are the only errors the browser may log.
            page.AssertClean(server.BaseUri, e => e.Contains("WebSocket connection to", StringComparison.Ordinal) || e.Contains("ERR_CONNECTION_REFUSED", StringComparison.Ordinal));
        }
        finally
        {
            if (page is not null)
            {
                await page.DisposeAsync();
            }

            await server.DisposeAsync();
        }
    }

    [Fact]
    public async Task HeightMap_is_skipped_with_a_visible_notice_and_a_zero_quaternion_is_identity()
    {
        const string run = "heightmap";
        const string scene = """
            {"opt": {"timestep": 0.01, "name": "Option"}, "link_names": ["a/b"], "name": "System",
             "geoms": {"world": [{"name": "HeightMap", "link_idx": -1, "pos": [0, 0, 0], "rot": [1, 0, 0, 0], "rgba": [1, 1, 1, 1], "size": [0, 0, 0]},
                                 {"name": "Plane", "link_idx": -1, "pos": [0, 0, 0], "rot": [1, 0, 0, 0], "rgba": [0.4, 0.33, 0.26, 1], "size": [0, 0, 0.05]}],
                       "a/b": [{"name": "Box", "link_idx": 0, "pos": [0, 0, 0], "rot": [1, 0, 0, 0], "rgba": [0.2, 0.4, 0.8, 1], "size": [0.2, 0.2, 0.2]}]},
             "states": {"x": [{"pos": [[0, 0, 0.5]], "rot": [[0, 0, 0, 0]], "name": "Transform"}]}}
            """;
        await using var page = await chromium.OpenViewerAsync(run, System.Text.Encoding.UTF8.GetBytes(scene));

        (await page.Page.Locator("#notices").TextContentAsync()).Should().Contain("HeightMap");
        (await page.Page.Locator("#notices").IsVisibleAsync()).Should().BeTrue();
        var poses = await page.PosesAsync();
        poses[0].Rot.Should().Equal([1.0, 0, 0, 0], "brax's q = 0 state has a zero quaternion, drawn as no rotation");
        (await page.Page.Locator("#follow option").AllTextContentsAsync()).Should().Contain("a/b");
        page.AssertClean(Server.BaseUri);
    }

    [Fact]
    public async Task Click_selects_a_body_and_the_camera_follows_it()
    {
        const string run = "pick";
        await using var page = await chromium.OpenViewerAsync(run, BraxFixtures.System("ant"));
        var torso = await page.Page.EvaluateAsync<JsonElement>("() => window.braxViewer.screenPoint(0)");

        await page.Page.Mouse.ClickAsync((float)torso.GetProperty("x").GetDouble(), (float)torso.GetProperty("y").GetDouble());

        await page.WaitForAsync("window.braxViewer.selected === 0 && window.braxViewer.following === 0", 5000);
        (await page.Page.Locator("#selected").TextContentAsync()).Should().Be("torso");
        (await page.Page.Locator("#follow").InputValueAsync()).Should().Be("0");
        page.AssertClean(Server.BaseUri);
    }

    [Fact]
    public async Task Capture_saves_a_png_of_the_view()
    {
        const string run = "capture";
        await using var page = await chromium.OpenViewerAsync(run, BraxFixtures.System("arm"));

        var download = await page.Page.RunAndWaitForDownloadAsync(() => page.Page.Locator("#capture").ClickAsync());
        var path = Path.Combine(ChromiumFixture.ArtifactsDirectory, "capture-arm.png");
        await download.SaveAsAsync(path);

        download.SuggestedFilename.Should().EndWith(".png");
        var image = PngImage.Decode(await File.ReadAllBytesAsync(path));
        CoveredFraction(image).Should().BeGreaterThan(0.05);
        page.AssertClean(Server.BaseUri);
    }

    /// <summary>Sends <paramref name="frames"/>, then repeats the newest frame of each env until the page shows them all.</summary>
    internal static async Task StreamUntilShownAsync(ViewerPageSession page, RawStreamer streamer, string[] frames, int links)
    {
        foreach (var frame in frames)
        {
            await streamer.SendAsync(frame);

            // Pacing, not waiting: the page sees a stream at a training loop's rate, not one burst.
            await Task.Delay(4);
        }

        // The expectation covers every body of the scene, so a body the page does not report is a
        // mismatch, never skipped.
        var expected = ExpectedPoses(frames, links);
        expected.Keys.Should().BeEquivalentTo(Enumerable.Range(0, links), "the frames drive every link of the scene");
        var lastPerEnv = frames.GroupBy(FirstLink).Select(g => g.Last()).ToArray();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        List<string> mismatches;
        while (true)
        {
            var poses = await page.PosesAsync();
            mismatches = expected
                .Select(e => poses.TryGetValue(e.Key, out var shown)
                    ? Distance(shown.Pos, e.Value.Pos) > Tolerance || Math.Abs(Math.Abs(Dot(shown.Rot, e.Value.Rot)) - 1) > Tolerance
                        ? $"link {e.Key}: page {string.Join(",", shown.Pos)} frame {string.Join(",", e.Value.Pos)}"
                        : null
                    : $"link {e.Key}: missing from the page")
                .OfType<string>()
                .ToList();
            if (mismatches.Count == 0 || DateTime.UtcNow > deadline)
            {
                break;
            }

            // The server keeps only the newest frame for a slow viewer; resending the last frame
            // of every env makes the final state certain to arrive.
            foreach (var frame in lastPerEnv)
            {
                // Spaced so each resend can be shown before the next; the loop ends when the page matches.
                await streamer.SendAsync(frame);
                await Task.Delay(30);
            }
        }

        mismatches.Should().BeEmpty("the page shows the poses of the newest frame of every env");
    }

    private static int FirstLink(string frame)
    {
        using var doc = JsonDocument.Parse(frame);
        var env = doc.RootElement.TryGetProperty("env_id", out var id) ? id.GetInt32() : 0;
        return env * doc.RootElement.GetProperty("x").GetProperty("pos").GetArrayLength();
    }

    /// <summary>The pose every link has after <paramref name="frames"/>: per-env frames cover links [env·n, env·n + n).</summary>
    private static Dictionary<int, (double[] Pos, double[] Rot)> ExpectedPoses(IEnumerable<string> frames, int links)
    {
        var poses = new Dictionary<int, (double[] Pos, double[] Rot)>();
        foreach (var frame in frames)
        {
            using var doc = JsonDocument.Parse(frame);
            var x = doc.RootElement.GetProperty("x");
            var pos = x.GetProperty("pos");
            var rot = x.GetProperty("rot");
            var count = pos.GetArrayLength();
            var first = count >= links ? 0 : FirstLink(frame);
            for (var i = 0; i < Math.Min(count, links); i++)
            {
                poses[first + i] = (pos[i].EnumerateArray().Select(v => v.GetDouble()).ToArray(), Normalised(rot[i].EnumerateArray().Select(v => v.GetDouble()).ToArray()));
            }
        }

        return poses;
    }

    private static double[] Normalised(double[] q)
    {
        var norm = Math.Sqrt(q.Sum(v => v * v));
        return norm < 1e-9 ? [1, 0, 0, 0] : q.Select(v => v / norm).ToArray();
    }

    private static double Dot(double[] a, double[] b) => a.Zip(b, (x, y) => x * y).Sum();

    private static double Distance(double[] a, double[] b) => Math.Sqrt(a.Zip(b, (x, y) => (x - y) * (x - y)).Sum());

    private static bool Close(double actual, double expected) => Math.Abs(actual - expected) < Tolerance;

    /// <summary>Share of the view (left of the panel) that is not background.</summary>
    private static double CoveredFraction(PngImage image)
    {
        int covered = 0, total = 0;
        for (var y = 0; y < image.Height; y += 4)
        {
            for (var x = 0; x < image.Width * 6 / 10; x += 4)
            {
                var (r, g, b) = image[x, y];
                total++;
                if (Math.Abs(r - Background.R) + Math.Abs(g - Background.G) + Math.Abs(b - Background.B) > 24)
                {
                    covered++;
                }
            }
        }

        return (double)covered / total;
    }

    private static int DistinctColours(PngImage image)
    {
        var colours = new HashSet<int>();
        for (var y = 0; y < image.Height; y += 4)
        {
            for (var x = 0; x < image.Width * 6 / 10; x += 4)
            {
                var (r, g, b) = image[x, y];
                colours.Add(((r >> 3) << 10) | ((g >> 3) << 5) | (b >> 3));
            }
        }

        return colours.Count;
    }

    internal static async Task PutSceneAsync(ViewerTestServer server, string runAndQuery, byte[] scene, string? accessKey = null)
    {
        using var http = new HttpClient { BaseAddress = server.BaseUri };
        http.DefaultRequestHeaders.Authorization = accessKey is null ? null : new("Bearer", accessKey);
        var response = await http.PutAsync($"/api/system?run={runAndQuery}", new ByteArrayContent(scene) { Headers = { ContentType = new("application/json") } });
        response.StatusCode.Should().Be(HttpStatusCode.NoContent, await response.Content.ReadAsStringAsync());
    }

    private static async Task<bool> RenderingEnabledAsync(HttpClient http, string run)
    {
        using var doc = JsonDocument.Parse(await http.GetStringAsync($"/api/rendering_status?run={run}"));
        return doc.RootElement.GetProperty("rendering_enabled").GetBoolean();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
