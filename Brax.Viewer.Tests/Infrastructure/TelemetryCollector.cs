using System.Collections.Concurrent;
using System.IO.Compression;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Brax.Viewer.Tests.Infrastructure;

/// <summary>
/// An Application Insights ingestion endpoint on loopback: it takes whatever the Azure Monitor
/// exporter posts (gzip or not), keeps it as text, and accepts every item, so telemetry can be
/// checked without leaving the machine.
/// </summary>
public sealed class TelemetryCollector : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<string> _received;

    private TelemetryCollector(WebApplication app, ConcurrentQueue<string> received, Uri baseUri)
    {
        _app = app;
        _received = received;
        BaseUri = baseUri;
    }

    /// <summary>http://127.0.0.1:PORT/</summary>
    public Uri BaseUri { get; }

    /// <summary>Everything posted so far, each request as its path, a line break and its body.</summary>
    public string Received => string.Join('\n', _received);

    public static async Task<TelemetryCollector> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var received = new ConcurrentQueue<string>();
        app.Run(async http =>
        {
            Stream body = http.Request.Headers.ContentEncoding == "gzip" ? new GZipStream(http.Request.Body, CompressionMode.Decompress) : http.Request.Body;
            using var reader = new StreamReader(body);
            var text = await reader.ReadToEndAsync();
            received.Enqueue($"{http.Request.Path}\n{text}");

            // One JSON item per line: accept them all, or the exporter keeps them to try again.
            var items = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
            await http.Response.WriteAsJsonAsync(new { itemsReceived = items, itemsAccepted = items, errors = Array.Empty<object>() });
        });

        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new TelemetryCollector(app, received, new Uri(address + "/"));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
