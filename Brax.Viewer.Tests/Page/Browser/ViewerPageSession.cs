using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Playwright;

namespace Brax.Viewer.Tests.Page.Browser;

/// <summary>
/// One viewer page in its own browser context, watched for console errors, uncaught exceptions
/// and any request that leaves the server under test.
/// </summary>
internal sealed class ViewerPageSession : IAsyncDisposable
{
    private readonly IBrowserContext _context;
    private readonly ConcurrentQueue<string> _errors = new();
    private readonly ConcurrentQueue<string> _urls = new();

    private ViewerPageSession(IBrowserContext context, IPage page)
    {
        _context = context;
        Page = page;
    }

    public IPage Page { get; }

    public IReadOnlyCollection<string> Errors => _errors;

    public IReadOnlyCollection<string> Urls => _urls;

    /// <param name="ignoreHttpsErrors">Accept the server's certificate although no authority signed it (a test's own).</param>
    public static async Task<ViewerPageSession> OpenAsync(IBrowser browser, Uri url, bool ignoreHttpsErrors = false)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 1000, Height = 640 },
            AcceptDownloads = true,
            IgnoreHTTPSErrors = ignoreHttpsErrors,
        });
        var page = await context.NewPageAsync();
        var session = new ViewerPageSession(context, page);
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                // The location names the resource of a failed load, which the text does not.
                session._errors.Enqueue($"{message.Text} [{message.Location}]");
            }
        };
        page.PageError += (_, error) => session._errors.Enqueue("uncaught: " + error);
        context.Request += (_, request) => session._urls.Enqueue(request.Url);
        page.WebSocket += (_, socket) => session._urls.Enqueue(socket.Url);
        await page.GotoAsync(url.ToString());
        return session;
    }

    public Task<T> EvalAsync<T>(string expression) => Page.EvaluateAsync<T>(expression);

    public async Task WaitForAsync(string condition, float timeoutMs = 20_000)
        => await Page.WaitForFunctionAsync($"() => {{ try {{ return !!({condition}); }} catch {{ return false; }} }}", null, new PageWaitForFunctionOptions { Timeout = timeoutMs, PollingInterval = 50 });

    public Task WaitForViewerAsync() => WaitForAsync("window.braxViewer.state === 'viewer' && window.braxViewer.stats.sceneRenders > 0");

    public Task WaitForConnectedAsync() => WaitForAsync("window.braxViewer.connections.control === 'open' && window.braxViewer.connections.frame === 'open'");

    /// <summary>Link poses as the page holds them: linkIdx → (pos, rot [w,x,y,z]).</summary>
    public async Task<Dictionary<int, (double[] Pos, double[] Rot)>> PosesAsync()
    {
        var json = await Page.EvaluateAsync<JsonElement>("() => window.braxViewer.poses()");
        return json.EnumerateArray().ToDictionary(
            p => p.GetProperty("linkIdx").GetInt32(),
            p => (p.GetProperty("pos").EnumerateArray().Select(v => v.GetDouble()).ToArray(), p.GetProperty("rot").EnumerateArray().Select(v => v.GetDouble()).ToArray()));
    }

    /// <summary>Saves a screenshot under the artifacts folder and returns it decoded.</summary>
    public async Task<PngImage> ScreenshotAsync(string name)
    {
        var path = Path.Combine(ChromiumFixture.ArtifactsDirectory, name + ".png");
        var png = await Page.ScreenshotAsync(new PageScreenshotOptions { Path = path });
        return PngImage.Decode(png);
    }

    /// <summary>Fails on console errors (except those <paramref name="allowed"/>) and on any request to another origin.</summary>
    public void AssertClean(Uri server, Func<string, bool>? allowed = null)
    {
        _errors.Where(e => allowed?.Invoke(e) != true).Should().BeEmpty("the page must log no console errors");
        var origins = new[] { $"{server.Scheme}://{server.Authority}/", $"{(server.Scheme == "https" ? "wss" : "ws")}://{server.Authority}/" };
        _urls.Where(u => !origins.Any(o => u.StartsWith(o, StringComparison.Ordinal)) && !u.StartsWith("blob:", StringComparison.Ordinal) && !u.StartsWith("data:", StringComparison.Ordinal))
            .Should().BeEmpty("the page must make no request outside the server");
        _urls.Should().NotBeEmpty();
    }

    public async ValueTask DisposeAsync() => await _context.DisposeAsync();
}
