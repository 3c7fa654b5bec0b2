using System.Net;
using Brax.Viewer.Tests.Infrastructure;

namespace Brax.Viewer.Tests.Page;

/// <summary>The viewer page and its assets as the server serves them over HTTP (the page at work is under Browser/).</summary>
public sealed class ViewerPageServingTests : IAsyncLifetime, IDisposable
{
    private ViewerTestServer _server = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _server = await ViewerTestServer.StartAsync();
        _http = new HttpClient { BaseAddress = _server.BaseUri };
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public void Dispose() => _http?.Dispose();

    [Fact]
    public async Task Page_is_served_with_waiting_or_loaded_marker()
    {
        var waiting = await _http.GetStringAsync("/?run=page-empty");
        (await _http.PutAsync("/api/system?run=page-full", new ByteArrayContent(BraxFixtures.System("cartpole")) { Headers = { ContentType = new("application/json") } })).EnsureSuccessStatusCode();
        var loaded = await _http.GetStringAsync("/?run=page-full");

        waiting.Should().Contain("data-scene=\"none\"").And.Contain("Waiting for a scene");
        loaded.Should().Contain("data-scene=\"loaded\"");
    }

    [Theory]
    [InlineData("/assets/viewer.js", "text/javascript")]
    [InlineData("/assets/style.css", "text/css")]
    [InlineData("/favicon.ico", "image/svg+xml")]
    [InlineData("/assets/favicon.svg", "image/svg+xml")]
    public async Task Page_assets_are_served_from_the_server(string path, string mediaType)
    {
        var response = await _http.GetAsync(path);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be(mediaType);
        (await response.Content.ReadAsByteArrayAsync()).Should().NotBeEmpty();
    }

    [Fact]
    public async Task Page_bundle_names_no_outside_host()
    {
        var script = await _http.GetStringAsync("/assets/viewer.js");
        var html = await _http.GetStringAsync("/");

        foreach (var text in new[] { script, html })
        {
            text.Should().NotContainAny("unpkg.com", "jsdelivr", "cdnjs", "googleapis");
        }
    }
}
