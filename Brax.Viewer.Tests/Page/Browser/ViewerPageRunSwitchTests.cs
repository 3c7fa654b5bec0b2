using Brax.Viewer.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Brax.Viewer.Tests.Page.Browser;

/// <summary>Switching the page between runs without a reload, and the address that names the run.</summary>
[Collection(ChromiumGroup.Name)]
public sealed class ViewerPageRunSwitchTests(ChromiumFixture chromium)
{
    private ViewerTestServer Server => chromium.Server;

    [Fact]
    public async Task Opening_another_run_switches_in_place_and_back_and_forward_switch_again()
    {
        await ViewerPageTests.PutSceneAsync(Server, "switch-a", BraxFixtures.System("cartpole"));
        await ViewerPageTests.PutSceneAsync(Server, "switch-b", BraxFixtures.System("arm"));
        await using var page = await ViewerPageSession.OpenAsync(chromium.Browser, Server.Http("/?run=switch-a"));
        await page.WaitForViewerAsync();
        await page.EvalAsync<int>("window.__sameDocument = 42");

        await OpenRunAsync(page, "switch-b");

        await page.WaitForAsync("window.braxViewer.run === 'switch-b' && window.braxViewer.poses().length === 4");
        await page.WaitForConnectedAsync();
        page.Page.Url.Should().Be(Server.Http("/?run=switch-b").ToString(), "the address names the run shown");
        (await page.EvalAsync<int>("window.__sameDocument")).Should().Be(42, "the page switched without a reload");
        (await page.Page.Locator("#run-name").TextContentAsync()).Should().Be("run switch-b");
        page.Urls.Should().Contain(url => url.Contains("/ws/frame?run=switch-b", StringComparison.Ordinal), "the frame stream reconnected to the new run");
        using (var streamer = await RawStreamer.ConnectAsync(Server.BaseUri, "switch-b"))
        {
            await ViewerPageTests.StreamUntilShownAsync(page, streamer, BraxFixtures.Frames("arm")[..20], BraxFixtures.Links("arm"));
        }

        await page.Page.GoBackAsync();

        await page.WaitForAsync("window.braxViewer.run === 'switch-a' && window.braxViewer.poses().length === 2");
        page.Page.Url.Should().Be(Server.Http("/?run=switch-a").ToString());
        using (var streamer = await RawStreamer.ConnectAsync(Server.BaseUri, "switch-a"))
        {
            await ViewerPageTests.StreamUntilShownAsync(page, streamer, BraxFixtures.Frames("cartpole")[..20], BraxFixtures.Links("cartpole"));
        }

        await page.Page.GoForwardAsync();

        await page.WaitForAsync("window.braxViewer.run === 'switch-b' && window.braxViewer.poses().length === 4");
        (await page.EvalAsync<int>("window.__sameDocument")).Should().Be(42, "back and forward switch in place too");
        page.AssertClean(Server.BaseUri);
    }

    [Fact]
    public async Task A_run_address_opens_that_run_and_its_timeline_starts_empty_after_a_switch()
    {
        await ViewerPageTests.PutSceneAsync(Server, "address-a", BraxFixtures.System("cartpole"));
        await ViewerPageTests.PutSceneAsync(Server, "address-b", BraxFixtures.System("cartpole"));
        await using var page = await ViewerPageSession.OpenAsync(chromium.Browser, Server.Http("/?run=address-a"));
        await page.WaitForViewerAsync();
        await page.WaitForConnectedAsync();
        (await page.EvalAsync<string>("window.braxViewer.run")).Should().Be("address-a");
        using (var streamer = await RawStreamer.ConnectAsync(Server.BaseUri, "address-a"))
        {
            await ViewerPageTests.StreamUntilShownAsync(page, streamer, BraxFixtures.Frames("cartpole")[..10], BraxFixtures.Links("cartpole"));
        }

        (await ViewerPageTimelineTests.TimelineAsync(page)).GetProperty("frames").GetInt32().Should().BePositive();

        await OpenRunAsync(page, "address-b");

        await page.WaitForAsync("window.braxViewer.run === 'address-b' && window.braxViewer.state === 'viewer'");
        (await ViewerPageTimelineTests.TimelineAsync(page)).GetProperty("frames").GetInt32().Should().Be(0, "another run's frames are not this run's history");
        (await page.EvalAsync<string>("window.braxViewer.timeline.mode")).Should().Be("live");
        page.AssertClean(Server.BaseUri);
    }

    [Fact]
    public async Task Run_list_shows_the_live_runs_and_a_click_switches_to_one()
    {
        await ViewerPageTests.PutSceneAsync(Server, "list-a", BraxFixtures.System("cartpole"));
        await ViewerPageTests.PutSceneAsync(Server, "list-b", BraxFixtures.System("arm"));
        using var streamerA = await RawStreamer.ConnectAsync(Server.BaseUri, "list-a");
        using var streamerB = await RawStreamer.ConnectAsync(Server.BaseUri, "list-b");
        await streamerB.SendAsync(BraxFixtures.Frames("arm")[0]);
        await using var page = await ViewerPageSession.OpenAsync(chromium.Browser, Server.Http("/?run=list-a"));
        await page.WaitForViewerAsync();
        await page.EvalAsync<int>("window.__sameDocument = 42");

        await page.Page.GetByText("Runs", new() { Exact = true }).ClickAsync();

        await page.WaitForAsync("document.querySelector('#run-list a[data-run=\"list-b\"]') !== null");
        var names = await page.Page.EvaluateAsync<string[]>("[...document.querySelectorAll('#run-list a')].map((a) => a.dataset.run)");
        names.Where(name => name.StartsWith("list-", StringComparison.Ordinal)).Should().Equal(["list-a", "list-b"], "the server's runs, sorted by name");
        (await page.Page.Locator("#run-list a[aria-current=page]").TextContentAsync()).Should().Be("list-a");
        (await page.Page.Locator("#run-list li", new() { Has = page.Page.Locator("a[data-run=list-b]") }).TextContentAsync()).Should().Contain("1 streaming");

        await page.Page.Locator("#run-list a[data-run=list-b]").ClickAsync();

        await page.WaitForAsync("window.braxViewer.run === 'list-b' && window.braxViewer.poses().length === 4");
        page.Page.Url.Should().Be(Server.Http("/?run=list-b").ToString());
        (await page.EvalAsync<int>("window.__sameDocument")).Should().Be(42, "a click in the list switches without a reload");
        await page.WaitForConnectedAsync();
        page.AssertClean(Server.BaseUri);
    }

    /// <summary>Opens a run by name from the page's run list, as a user does.</summary>
    internal static async Task OpenRunAsync(ViewerPageSession page, string run)
    {
        await page.Page.GetByText("Runs", new() { Exact = true }).ClickAsync();
        await page.Page.GetByLabel("Open run").FillAsync(run);
        await page.Page.GetByLabel("Open run").PressAsync("Enter");
    }
}
