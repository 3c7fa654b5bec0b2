using System.Net;
using System.IO.Pipelines;
using Brax.Viewer.Server.Page;
using Brax.Viewer.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Net.Http.Headers;

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

    [Fact]
    public async Task A_response_with_its_own_policy_keeps_it_and_the_other_headers()
    {
        await using var server = await ViewerTestServer.StartAsync(configure: builder => builder.Services.AddSingleton<IStartupFilter>(new OfflineReplayRoute()));

        using var response = await server.Client.GetAsync("replay-export");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Headers.GetValues("Content-Security-Policy").Single().Should().Be(OfflineReplayExport.ContentSecurityPolicy);
        OfflineReplayExport.ContentSecurityPolicy.Should().Contain("script-src 'sha256-").And.Contain("connect-src 'none'").And.NotContain("unsafe");
        response.Headers.GetValues("X-Frame-Options").Should().Equal("DENY");
        (await response.Content.ReadAsStringAsync()).Should().Contain("<meta http-equiv=\"Content-Security-Policy\" content=\"" + OfflineReplayExport.ContentSecurityPolicy + "\">");
    }

    /// <summary>Serves an empty replay after the server's own pipeline, as a route that sends the file would.</summary>
    private sealed class OfflineReplayRoute : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            next(app);
            app.Run(async http =>
            {
                http.Response.ContentType = OfflineReplayExport.ContentType;
                http.Response.Headers[HeaderNames.ContentSecurityPolicy] = OfflineReplayExport.ContentSecurityPolicy;
                await OfflineReplayExport.WriteAsync(http.Response.BodyWriter, "{}"u8.ToArray(), [], http.RequestAborted);
            });
        };
    }
}
