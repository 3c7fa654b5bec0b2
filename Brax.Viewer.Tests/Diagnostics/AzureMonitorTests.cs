using System.Net;
using System.Net.Sockets;
using Azure.Monitor.OpenTelemetry.AspNetCore;
using Brax.Viewer.Tests.Infrastructure;
using Brax.Viewer.Tests.ScaleOut;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Brax.Viewer.Tests.Diagnostics;

/// <summary>
/// Azure Monitor is used only when a connection string is configured, and then never at the
/// expense of serving: the distro is registered, exports to the configured ingestion endpoint (a
/// collector on loopback here), keeps access keys out of what it sends, and an unreachable endpoint
/// breaks neither start-up nor requests.
/// </summary>
[Collection(ProcessWideMetersGroup.Name)]
public sealed class AzureMonitorTests : IDisposable
{
    private const string StreamerKey = "streamer-key-0123456789abcdef";
    private const string ViewerKey = "viewer-key-0123456789abcdef";
    private readonly DirectoryInfo _storage = Directory.CreateTempSubdirectory("brax-azure-monitor-");

    static AzureMonitorTests()
    {
        // The exporter's statistics about itself ask Azure's instance metadata service (169.254.169.254)
        // where they run, and nothing here may leave the machine. Off for this test process only,
        // where nothing else exports to Azure Monitor; the server keeps the distro's defaults.
        Environment.SetEnvironmentVariable("APPLICATIONINSIGHTS_SDKSTATS_DISABLED", "true");
        Environment.SetEnvironmentVariable("APPLICATIONINSIGHTS_STATSBEAT_DISABLED", "true");
    }

    public void Dispose() => _storage.Delete(recursive: true);

    [Fact]
    public async Task Without_a_connection_string_only_metrics_are_collected_and_nothing_is_exported_elsewhere()
    {
        await using var server = await ViewerTestServer.StartAsync();
        using var http = new HttpClient { BaseAddress = server.BaseUri };

        server.Services.GetServices<IConfigureOptions<AzureMonitorOptions>>().Should().BeEmpty("the distro is not registered");
        server.Services.GetService<TracerProvider>().Should().BeNull("no traces are collected for anyone");
        server.Services.GetService<LoggerProvider>().Should().BeNull("no logs are exported");
        (await http.GetAsync("healthz")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await http.GetAsync("metrics")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task An_unreachable_ingestion_endpoint_breaks_neither_start_up_nor_requests()
    {
        var closed = ClosedLoopbackPort();
        await using var server = await ViewerTestServer.StartAsync(
            Settings("APPLICATIONINSIGHTS_CONNECTION_STRING", new Uri($"http://127.0.0.1:{closed}/")),
            KeepResourceDetectionLocal);
        using var http = new HttpClient { BaseAddress = server.BaseUri };
        server.Services.GetService<TracerProvider>().Should().NotBeNull("the distro is registered");

        await using var viewer = await RawClient.ConnectAsync(server.WebSocket("ws/frame"));
        await using var streamer = await RawClient.ConnectAsync(server.WebSocket("ws/frame?is_streamer=true"));
        await server.ViewersJoinedAsync(1);
        await streamer.SendAsync(TestFrames.Numbered(1));
        (await viewer.ReceiveAsync()).Should().Be(TestFrames.Numbered(1));

        // Make the exporter try now, and fail: serving goes on.
        server.Services.GetRequiredService<TracerProvider>().ForceFlush(timeoutMilliseconds: 5_000);

        await streamer.SendAsync(TestFrames.Numbered(2));
        (await viewer.ReceiveAsync()).Should().Be(TestFrames.Numbered(2));
        (await http.GetAsync("healthz")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await http.GetAsync("metrics")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Requests_and_the_servers_metrics_reach_the_configured_endpoint_without_the_access_keys()
    {
        await using var collector = await TelemetryCollector.StartAsync();
        var settings = Settings("AzureMonitor:ConnectionString", collector.BaseUri);
        settings["Viewer:StreamerKey"] = StreamerKey;
        settings["Viewer:ViewerKey"] = ViewerKey;
        await using var server = await ViewerTestServer.StartAsync(settings, KeepResourceDetectionLocal);
        using var http = new HttpClient { BaseAddress = server.BaseUri };

        (await http.GetAsync($"api/diagnostics?access_token={ViewerKey}")).StatusCode.Should().Be(HttpStatusCode.OK);
        await using (var streamer = await RawClient.ConnectAsync(server.WebSocket($"ws/frame?is_streamer=true&access_token={StreamerKey}")))
        {
            await server.StreamersConnectedAsync(1);
            await streamer.SendAsync(TestFrames.Numbered(1));
            await Eventually.HoldsAsync(
                async () => PrometheusText.Parse(await http.GetStringAsync($"metrics?access_token={ViewerKey}")).ValueOrZero("brax_viewer_frames_received_total") == 1,
                "the frame has been counted");
        }

        server.Services.GetRequiredService<TracerProvider>().ForceFlush(timeoutMilliseconds: 5_000);
        server.Services.GetRequiredService<MeterProvider>().ForceFlush(timeoutMilliseconds: 5_000);
        await Eventually.HoldsAsync(
            () => collector.Received.Contains("/api/diagnostics", StringComparison.Ordinal) && collector.Received.Contains("brax.viewer.frames.received", StringComparison.Ordinal),
            "the request and the server's metrics have been exported");

        collector.Received.Should().Contain("v2.1/track", "the exporter posts to the ingestion endpoint of the connection string");
        collector.Received.Should().NotContain(ViewerKey).And.NotContain(StreamerKey, "keys in query strings stay redacted");
    }

    private Dictionary<string, string?> Settings(string key, Uri endpoint) => new()
    {
        [key] = $"InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint={endpoint};LiveEndpoint={endpoint}",

        // Telemetry that could not be sent is kept on disk to try again: in this test's own folder.
        ["AzureMonitor:StorageDirectory"] = _storage.FullName,
    };

    // The distro's Azure VM resource detector asks the instance metadata service (169.254.169.254)
    // too. Clearing the resource after the distro's configuration keeps every connection on loopback;
    // what is under test, the exporter and its endpoint, is unchanged.
    private static void KeepResourceDetectionLocal(WebApplicationBuilder builder) =>
        builder.Services.AddOpenTelemetry().ConfigureResource(resource => resource.Clear());

    private static int ClosedLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
