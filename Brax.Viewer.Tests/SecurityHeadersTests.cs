using System.Net;
using Brax.Viewer.Tests.Infrastructure;

namespace Brax.Viewer.Tests;

/// <summary>Every answer carries the headers a server on the internet needs, the page and errors included.</summary>
public sealed class SecurityHeadersTests : IAsyncLifetime
{
    private ViewerTestServer _server = null!;

    private HttpClient Http => _server.Client;

    public async Task InitializeAsync() => _server = await ViewerTestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData("", HttpStatusCode.OK)]
    [InlineData("assets/viewer.js", HttpStatusCode.OK)]
    [InlineData("api/rendering_status", HttpStatusCode.OK)]
    [InlineData("api/system", HttpStatusCode.NotFound)]
    [InlineData("no/such/path", HttpStatusCode.NotFound)]
    public async Task Responses_forbid_sniffing_framing_referrers_and_foreign_content(string path, HttpStatusCode status)
    {
        using var response = await Http.GetAsync(path);

        response.StatusCode.Should().Be(status);
        response.Headers.GetValues("X-Content-Type-Options").Should().Equal("nosniff");
        response.Headers.GetValues("X-Frame-Options").Should().Equal("DENY");
        response.Headers.GetValues("Referrer-Policy").Should().Equal("no-referrer");
        var policy = response.Headers.GetValues("Content-Security-Policy").Single();
        policy.Should().Contain("default-src 'self'").And.Contain("script-src 'self'").And.Contain("frame-ancestors 'none'").And.NotContain("unsafe");
    }
}
