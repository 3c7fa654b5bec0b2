using System.Net;
using System.Security.Cryptography.X509Certificates;
using Brax.Viewer.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;

namespace Brax.Viewer.Tests.Page.Browser;

/// <summary>
/// The page served over https by Kestrel itself, with a certificate made for the test: it opens its
/// sockets over wss: on the same host and port, and frames streamed over wss: move the bodies.
/// </summary>
[Collection(ChromiumGroup.Name)]
public sealed class ViewerPageTlsTests(ChromiumFixture chromium) : IAsyncLifetime
{
    private const string Run = "tls";
    private readonly X509Certificate2 _certificate = TestCertificate.CreateForLoopback();
    private ViewerTestServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await ViewerTestServer.StartAsync(
            new Dictionary<string, string?> { ["urls"] = "https://127.0.0.1:0" },
            builder => builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureHttpsDefaults(https => https.ServerCertificate = _certificate)));
        _server.BaseUri.Scheme.Should().Be("https");

        using var http = new HttpClient(new SocketsHttpHandler
        {
            SslOptions = { RemoteCertificateValidationCallback = (_, certificate, _, _) => TestCertificate.IsPinned(certificate, _certificate) },
        })
        { BaseAddress = _server.BaseUri };
        using var scene = new ByteArrayContent(BraxFixtures.System("cartpole")) { Headers = { ContentType = new("application/json") } };
        (await http.PutAsync($"api/system?run={Run}", scene)).StatusCode.Should().Be(HttpStatusCode.NoContent);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _certificate.Dispose();
    }

    [Fact]
    public async Task Page_over_https_streams_over_wss_and_frames_move_the_bodies()
    {
        await using var page = await ViewerPageSession.OpenAsync(chromium.Browser, _server.Http($"/?run={Run}"), ignoreHttpsErrors: true);

        await page.WaitForViewerAsync();
        await page.WaitForConnectedAsync();
        (await page.EvalAsync<string>("location.protocol")).Should().Be("https:");
        var sockets = page.Urls.Where(url => url.Contains("/ws/", StringComparison.Ordinal)).ToList();
        sockets.Should().Contain([$"wss://{_server.BaseUri.Authority}/ws/control?run={Run}", $"wss://{_server.BaseUri.Authority}/ws/frame?run={Run}"]);
        sockets.Should().OnlyContain(url => url.StartsWith("wss://", StringComparison.Ordinal), "a page under https never opens a plain ws: socket");

        using var streamer = await RawStreamer.ConnectAsync(_server.BaseUri, Run, trustedCertificate: _certificate);
        var frames = BraxFixtures.Frames("cartpole");
        await ViewerPageTests.StreamUntilShownAsync(page, streamer, frames, BraxFixtures.Links("cartpole"));
        await page.ScreenshotAsync("tls-streamed");
        page.AssertClean(_server.BaseUri);
    }
}
