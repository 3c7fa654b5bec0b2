using Brax.Viewer.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Brax.Viewer.Tests.Infrastructure;

/// <summary>The real server on a real Kestrel, in this process, on a free loopback port.</summary>
public sealed class ViewerTestServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private HttpClient? _http;

    private ViewerTestServer(WebApplication app, Uri baseUri)
    {
        _app = app;
        BaseUri = baseUri;
    }

    /// <summary>http://127.0.0.1:PORT/</summary>
    public Uri BaseUri { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>An HTTP client of this server (base address set), disposed with it.</summary>
    public HttpClient Client => _http ??= new HttpClient { BaseAddress = BaseUri };

    public Uri Http(string pathAndQuery) => new(BaseUri, pathAndQuery);

    public Uri WebSocket(string pathAndQuery) => new(new UriBuilder(BaseUri) { Scheme = "ws" }.Uri, pathAndQuery);

    public T GetRequiredService<T>() where T : notnull => _app.Services.GetRequiredService<T>();

    /// <summary>Starts a server; <paramref name="settings"/> are configuration keys such as <c>Viewer:MaxFrameBytes</c>.</summary>
    public static async Task<ViewerTestServer> StartAsync(IDictionary<string, string?>? settings = null, Action<WebApplicationBuilder>? configure = null)
    {
        var args = new List<string> { "--urls", "http://127.0.0.1:0" };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            args.Add($"--{key}={value}");
        }

        var app = ViewerServer.Build([.. args], configure);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new ViewerTestServer(app, new Uri(address + "/"));
    }

    public async ValueTask DisposeAsync()
    {
        _http?.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
