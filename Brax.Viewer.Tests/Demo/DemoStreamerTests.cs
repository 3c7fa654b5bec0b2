using System.Globalization;
using System.Text.Json;
using Brax.Viewer.Server.Demo;
using Brax.Viewer.Tests.Infrastructure;
using Brax.Viewer.Tests.Page.Browser;

namespace Brax.Viewer.Tests.Demo;

/// <summary>The built-in demo (<c>--demo</c>) as a person sees it: the viewer page in headless Chromium.</summary>
[Collection(ChromiumGroup.Name)]
public sealed class DemoStreamerTests(ChromiumFixture chromium)
{
    [Fact]
    public async Task Demo_streams_a_moving_scene_through_the_server()
    {
        await using var server = await ViewerTestServer.StartAsync(new Dictionary<string, string?> { ["Viewer:Demo"] = "true" });
        await using var page = await ViewerPageSession.OpenAsync(chromium.Browser, server.Http("/"));
        await page.WaitForViewerAsync();
        await page.WaitForAsync("window.braxViewer.stats.applied > 3", 20_000);

        var first = await page.PosesAsync();
        first.Should().HaveCount(DemoScene.Links);

        // Wait until the page shows bodies that moved on from the first look, rather than for a
        // guess at how long the demo takes to move them: the wait ends as soon as it holds.
        var firstJson = JsonSerializer.Serialize(first.ToDictionary(p => p.Key.ToString(CultureInfo.InvariantCulture), p => new[] { p.Value.Pos, p.Value.Rot }));
        await page.WaitForAsync(
            $$"""
            window.braxViewer.poses().filter(p => {
              const [pos, rot] = {{firstJson}}[p.linkIdx];
              return Math.hypot(...p.pos.map((v, i) => v - pos[i])) > 1e-3 || Math.hypot(...p.rot.map((v, i) => v - rot[i])) > 1e-3;
            }).length >= 3
            """,
            10_000);
        var second = await page.PosesAsync();

        Enumerable.Range(0, DemoScene.Links).Count(i => Distance(first[i].Pos, second[i].Pos) > 1e-3 || Distance(first[i].Rot, second[i].Rot) > 1e-3)
            .Should().BeGreaterThanOrEqualTo(3, "the demo moves its bodies continuously");
        await page.WaitForAsync("window.braxViewer.stats.frameFps > 5", 10_000);
        await page.ScreenshotAsync("demo");
        page.AssertClean(server.BaseUri);
    }

    private static double Distance(double[] a, double[] b) => Math.Sqrt(a.Zip(b, (x, y) => (x - y) * (x - y)).Sum());
}
