using Brax.Viewer.Tests.Infrastructure;

namespace Brax.Viewer.Tests.Page.Browser;

/// <summary>
/// The viewer page against a server with both keys set: opened as <c>/?access_token=KEY</c> it takes
/// the key out of the address bar and uses it for every socket and API call; opened without a key,
/// or with a wrong one, it says so instead of reconnecting in silence.
/// </summary>
[Collection(ChromiumGroup.Name)]
public sealed class ViewerPageAccessTests(ChromiumFixture chromium) : IAsyncLifetime
{
    private const string StreamerKey = "page-streamer-key-0123456789";
    private const string ViewerKey = "page-viewer-key-0123456789";
    private const string Run = "keyed";
    private ViewerTestServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await ViewerTestServer.StartAsync(new Dictionary<string, string?> { ["Viewer:StreamerKey"] = StreamerKey, ["Viewer:ViewerKey"] = ViewerKey });
        await ViewerPageTests.PutSceneAsync(_server, Run, BraxFixtures.System("cartpole"), StreamerKey);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Page_opened_with_the_viewer_key_drops_it_from_the_address_and_moves_with_frames_streamed_with_the_streamer_key()
    {
        await using var page = await ViewerPageSession.OpenAsync(chromium.Browser, _server.Http($"/?run={Run}&access_token={ViewerKey}"));

        await page.WaitForViewerAsync();
        await page.WaitForConnectedAsync();
        page.Page.Url.Should().Be(_server.Http($"/?run={Run}").ToString(), "the key leaves the address bar, the run stays");
        (await page.EvalAsync<string>("location.href")).Should().NotContain(ViewerKey);
        (await page.Page.Locator("#waiting-command").TextContentAsync()).Should().NotContain(ViewerKey).And.Contain("Bearer $STREAMER_KEY");
        page.Urls.Where(url => url.Contains("/ws/", StringComparison.Ordinal)).Should().OnlyContain(url => url.Contains("access_token=" + ViewerKey, StringComparison.Ordinal), "sockets carry the key in their query");

        using var streamer = await RawStreamer.ConnectAsync(_server.BaseUri, Run, StreamerKey);
        var frames = BraxFixtures.Frames("cartpole");
        await ViewerPageTests.StreamUntilShownAsync(page, streamer, frames[..(frames.Length / 2)], BraxFixtures.Links("cartpole"));
        await page.ScreenshotAsync("access-viewer-key");
        page.AssertClean(_server.BaseUri);
    }

    [Fact]
    public async Task Switching_runs_keeps_the_key_of_the_tab()
    {
        const string other = "keyed-other";
        await ViewerPageTests.PutSceneAsync(_server, other, BraxFixtures.System("arm"), StreamerKey);
        await using var page = await ViewerPageSession.OpenAsync(chromium.Browser, _server.Http($"/?run={Run}&access_token={ViewerKey}"));
        await page.WaitForViewerAsync();

        await ViewerPageRunSwitchTests.OpenRunAsync(page, other);

        await page.WaitForAsync($"window.braxViewer.run === '{other}' && window.braxViewer.poses().length === 4");
        await page.WaitForConnectedAsync();
        (await page.EvalAsync<string>("window.braxViewer.access")).Should().Be("ok");
        page.Page.Url.Should().Be(_server.Http($"/?run={other}").ToString(), "the key stays out of the address");
        page.Urls.Where(url => url.Contains($"/ws/frame?run={other}", StringComparison.Ordinal)).Should().NotBeEmpty()
            .And.OnlyContain(url => url.Contains("access_token=" + ViewerKey, StringComparison.Ordinal), "the new run's sockets carry the key");
        page.AssertClean(_server.BaseUri);
    }

    [Fact]
    public async Task A_reload_keeps_the_key_of_the_tab_without_putting_it_back_in_the_address()
    {
        await using var page = await ViewerPageSession.OpenAsync(chromium.Browser, _server.Http($"/?run={Run}&access_token={ViewerKey}"));
        await page.WaitForViewerAsync();

        await page.Page.ReloadAsync();

        await page.WaitForViewerAsync();
        await page.WaitForConnectedAsync();
        page.Page.Url.Should().NotContain(ViewerKey);
        (await page.EvalAsync<string?>("localStorage.length === 0 ? null : 'localStorage holds ' + localStorage.length")).Should().BeNull("the key never outlives the tab");
        page.AssertClean(_server.BaseUri);
    }

    [Fact]
    public async Task Page_opened_without_a_key_shows_the_access_screen_and_stops_connecting()
    {
        await using var page = await ViewerPageSession.OpenAsync(chromium.Browser, _server.Http($"/?run={Run}"));

        await page.WaitForAsync("window.braxViewer.access === 'missing'");

        (await page.Page.Locator("#access").IsVisibleAsync()).Should().BeTrue();
        (await page.Page.Locator("#access h1").TextContentAsync()).Should().Be("Access key missing or wrong");
        (await page.Page.Locator("#access-reason").TextContentAsync()).Should().Contain("needs an access key");
        (await page.Page.Locator("#waiting").IsVisibleAsync()).Should().BeFalse();
        (await page.EvalAsync<string>("window.braxViewer.state")).Should().Be("access-refused");
        // Stopped sockets stay 'refused'; a reconnect would have set 'connecting' or 'retrying'.
        await page.WaitForAsync("window.braxViewer.connections.control === 'refused' && window.braxViewer.connections.frame === 'refused'", 5000);
        (await page.Page.Locator("#status-frame").TextContentAsync()).Should().Be("access refused");
        await page.ScreenshotAsync("access-missing");
        page.AssertClean(_server.BaseUri, IsRefusalNoise);
    }

    [Fact]
    public async Task Page_opened_with_a_wrong_key_says_the_key_was_refused()
    {
        const string wrong = "not-the-key-0123456789abcdef";
        await using var page = await ViewerPageSession.OpenAsync(chromium.Browser, _server.Http($"/?run={Run}&access_token={wrong}"));

        await page.WaitForAsync("window.braxViewer.access === 'wrong'");

        (await page.Page.Locator("#access").IsVisibleAsync()).Should().BeTrue();
        (await page.Page.Locator("#access-reason").TextContentAsync()).Should().Contain("refused the access key");
        page.Page.Url.Should().NotContain(wrong);
        page.AssertClean(_server.BaseUri, IsRefusalNoise);
    }

    // What the browser itself logs for a refused request or socket; the page logs nothing of its own.
    private static bool IsRefusalNoise(string error) =>
        error.Contains("401", StringComparison.Ordinal) || error.Contains("WebSocket connection to", StringComparison.Ordinal);
}
