using System.Net;
using System.Net.Http.Json;
using Brax.Viewer.Tests.Infrastructure;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Brax.Viewer.Tests;

/// <summary>
/// <c>X-Forwarded-Proto</c> and <c>X-Forwarded-For</c> count only from the proxies in
/// <c>Viewer:KnownProxies</c> / <c>Viewer:KnownNetworks</c>, or from anyone under ASP.NET Core's
/// <c>ASPNETCORE_FORWARDEDHEADERS_ENABLED=true</c> (Azure App Service). What shows it: behind a
/// proxy that ends TLS, the page at <c>https://host</c> may change state only if the server takes
/// its own origin to be https too; and a refusal's log line names the client's address.
/// </summary>
public sealed class TrustedProxyTests
{
    private const string PublicHost = "viewer.example.org";
    private const string ForwardedClient = "203.0.113.7";

    [Theory]
    [InlineData(null, HttpStatusCode.Forbidden)]
    [InlineData("Viewer:KnownProxies:0=192.0.2.10", HttpStatusCode.Forbidden)]
    [InlineData("Viewer:KnownNetworks:0=10.0.0.0/8", HttpStatusCode.Forbidden)]
    [InlineData("Viewer:KnownProxies:0=127.0.0.1", HttpStatusCode.OK)]
    [InlineData("Viewer:KnownNetworks:0=127.0.0.0/8", HttpStatusCode.OK)]
    [InlineData("FORWARDEDHEADERS_ENABLED=true", HttpStatusCode.OK)]
    public async Task Forwarded_https_sets_the_servers_own_origin_only_from_a_trusted_proxy(string? setting, HttpStatusCode expected)
    {
        await using var server = await ViewerTestServer.StartAsync(Settings(setting));
        using var http = new HttpClient { BaseAddress = server.BaseUri };

        var forwarded = await ToggleFromTheHttpsPageAsync(http, forwardedProto: "https");
        var direct = await ToggleFromTheHttpsPageAsync(http, forwardedProto: null);

        forwarded.Should().Be(expected, "the request came from 127.0.0.1 with X-Forwarded-Proto: https ({0})", setting ?? "no proxy configured");
        direct.Should().Be(HttpStatusCode.Forbidden, "without the header the server sees http, and https://{0} is a foreign origin", PublicHost);
    }

    [Theory]
    [InlineData("Viewer:KnownProxies:0=192.0.2.10", "127.0.0.1")]
    [InlineData("Viewer:KnownProxies:0=127.0.0.1", ForwardedClient)]
    public async Task Forwarded_client_address_is_believed_only_from_a_trusted_proxy(string setting, string logged)
    {
        var logs = new CapturingLoggerProvider();
        var settings = Settings(setting);
        settings["Viewer:ViewerKey"] = "proxy-viewer-key-0123456789";
        await using var server = await ViewerTestServer.StartAsync(settings, builder => builder.Logging.AddProvider(logs));
        using var http = new HttpClient { BaseAddress = server.BaseUri };
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/diagnostics");
        request.Headers.Add("X-Forwarded-For", ForwardedClient);

        using var response = await http.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        logs.Entries.Select(entry => entry.Message).Should().Contain(message => message.Contains("Refused /api/diagnostics", StringComparison.Ordinal) && message.Contains($"from {logged} ", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Viewer:KnownProxies:0=10.0.0.300", "Viewer:KnownProxies holds '10.0.0.300'")]
    [InlineData("Viewer:KnownNetworks:0=10.0.0.0", "Viewer:KnownNetworks holds '10.0.0.0'")]
    public async Task A_malformed_proxy_entry_stops_the_start_with_the_reason(string setting, string reason)
    {
        var start = () => ViewerTestServer.StartAsync(Settings(setting));

        (await start.Should().ThrowAsync<OptionsValidationException>()).Which.Message.Should().Contain(reason);
    }

    [Fact]
    public async Task Proxy_lists_and_the_trust_everyone_switch_together_stop_the_start()
    {
        var settings = Settings("Viewer:KnownProxies:0=10.0.0.4");
        settings["FORWARDEDHEADERS_ENABLED"] = "true";

        var start = () => ViewerTestServer.StartAsync(settings);

        (await start.Should().ThrowAsync<OptionsValidationException>()).Which.Message.Should().Contain("ASPNETCORE_FORWARDEDHEADERS_ENABLED=true trusts forwarded headers from every address");
    }

    private static Dictionary<string, string?> Settings(string? setting)
    {
        var settings = new Dictionary<string, string?>();
        if (setting is not null)
        {
            var (key, value) = (setting[..setting.IndexOf('=', StringComparison.Ordinal)], setting[(setting.IndexOf('=', StringComparison.Ordinal) + 1)..]);
            settings[key] = value;
        }

        return settings;
    }

    // What the page at https://viewer.example.org sends through its proxy when the toggle is flipped.
    private static async Task<HttpStatusCode> ToggleFromTheHttpsPageAsync(HttpClient http, string? forwardedProto)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/rendering_status?run=proxied") { Content = JsonContent.Create(new { rendering_enabled = true }) };
        request.Headers.Host = PublicHost;
        request.Headers.Add("Origin", $"https://{PublicHost}");
        if (forwardedProto is not null)
        {
            request.Headers.Add("X-Forwarded-Proto", forwardedProto);
        }

        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }
}
