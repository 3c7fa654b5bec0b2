using Azure.Monitor.OpenTelemetry.AspNetCore;
using Brax.Viewer.Hubs.Access;
using Brax.Viewer.Hubs.Diagnostics;
using Microsoft.Extensions.Diagnostics.Metrics;
using OpenTelemetry.Metrics;

namespace Brax.Viewer.Server.Telemetry;

/// <summary>
/// Metrics through OpenTelemetry: the server's own meter (<see cref="ViewerMetrics"/>), ASP.NET
/// Core's and the runtime's, scraped in Prometheus text format at <see cref="MetricsPath"/>, and
/// sent to Azure Monitor as well when an Application Insights connection string is configured.
/// </summary>
internal static class ViewerTelemetry
{
    /// <summary>Where Prometheus scrapes; it takes the viewer key like <c>/api/diagnostics</c>.</summary>
    public const string MetricsPath = "/metrics";

    /// <summary>The setting App Service sets when Application Insights is turned on for an app.</summary>
    public const string ConnectionStringVariable = "APPLICATIONINSIGHTS_CONNECTION_STRING";

    /// <summary>The same, in the distro's own configuration section.</summary>
    public const string ConnectionStringKey = "AzureMonitor:ConnectionString";

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

    // The distro turns off the ASP.NET Core and HttpClient instrumentations' redaction of query
    // strings unless these are set. Access keys travel as ?access_token=KEY, so they stay redacted.
    private static readonly string[] QueryRedactionSwitches =
    [
        "OTEL_DOTNET_EXPERIMENTAL_ASPNETCORE_DISABLE_URL_QUERY_REDACTION",
        "OTEL_DOTNET_EXPERIMENTAL_HTTPCLIENT_DISABLE_URL_QUERY_REDACTION",
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
        var telemetry = builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics.AddPrometheusExporter(prometheus => prometheus.ScrapeResponseCacheDurationMilliseconds = 0));

        if (AzureMonitorConfigured(builder.Configuration))
        {
            foreach (var key in QueryRedactionSwitches)
            {
                builder.Configuration[key] ??= "false";
            }

            // The distro reads the connection string from either setting itself. It exports in the
            // background: an unreachable endpoint costs failed sends, never start-up or requests.
            telemetry.UseAzureMonitor();
        }

        return builder;
    }

    public static IEndpointRouteBuilder MapMetrics(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPrometheusScrapingEndpoint(MetricsPath).RequireAuthorization(AccessPolicies.View);
        return endpoints;
    }

    /// <summary>Whether either connection string setting holds a value; without one nothing is sent anywhere.</summary>
    public static bool AzureMonitorConfigured(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration[ConnectionStringVariable]) || !string.IsNullOrWhiteSpace(configuration[ConnectionStringKey]);
}
