using Brax.Viewer.Hubs.Access;
using Brax.Viewer.Hubs.Diagnostics;
using Microsoft.Extensions.Diagnostics.Metrics;
using OpenTelemetry.Metrics;

namespace Brax.Viewer.Server.Telemetry;

/// <summary>
/// Metrics through OpenTelemetry: the server's own meter (<see cref="ViewerMetrics"/>), ASP.NET
/// Core's and the runtime's, scraped in Prometheus text format at <see cref="MetricsPath"/>.
/// </summary>
internal static class ViewerTelemetry
{
    /// <summary>Where Prometheus scrapes; it takes the viewer key like <c>/api/diagnostics</c>.</summary>
    public const string MetricsPath = "/metrics";

    private const string RuntimeMeter = "System.Runtime";

    // Meters made through this host's IMeterFactory: subscribed in the local scope, so a second host in
    // the same process (a test server, say) is never counted here.
    private static readonly string[] HostMeters =
    [
        ViewerMetrics.MeterName,
        "Microsoft.AspNetCore.Hosting",
        "Microsoft.AspNetCore.Server.Kestrel",
        "Microsoft.AspNetCore.Http.Connections",
    ];

    public static WebApplicationBuilder AddViewerTelemetry(this WebApplicationBuilder builder)
    {
        foreach (var meter in HostMeters)
        {
            builder.Metrics.EnableMetrics(meter, instrumentName: null, listenerName: null, MeterScope.Local);
        }

        // Observable instruments only, read at scrape time: nothing on the hot path. One per process.
        builder.Metrics.EnableMetrics(RuntimeMeter, instrumentName: null, listenerName: null, MeterScope.Global);

        // No response cache: a scrape reads the counters as they are, and collecting them is cheap.
        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics.AddPrometheusExporter(prometheus => prometheus.ScrapeResponseCacheDurationMilliseconds = 0));
        return builder;
    }

    public static IEndpointRouteBuilder MapMetrics(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPrometheusScrapingEndpoint(MetricsPath).RequireAuthorization(AccessPolicies.View);
        return endpoints;
    }
}
