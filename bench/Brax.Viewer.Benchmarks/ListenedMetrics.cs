using System.Diagnostics.Metrics;
using Brax.Viewer.Hubs.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace Brax.Viewer.Benchmarks;

/// <summary>
/// The server's instruments with the OpenTelemetry SDK aggregating them, as it does behind
/// <c>/metrics</c>: an instrument nobody listens to costs next to nothing, so a benchmark without a
/// listener would hide what recording costs in production.
/// </summary>
internal sealed class ListenedMetrics : IDisposable
{
    private readonly ServiceProvider _services;
    private readonly MeterProvider _provider;

    public ListenedMetrics()
    {
        _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        Metrics = new ViewerMetrics(_services.GetRequiredService<IMeterFactory>(), new HubDiagnostics());
        _provider = Sdk.CreateMeterProviderBuilder()
            .AddMeter(ViewerMetrics.MeterName)
            // Exports only when asked (Sum), so nothing else touches Exported.
            .AddInMemoryExporter(Exported, reader => reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = Timeout.Infinite)
            .Build();
    }

    public ViewerMetrics Metrics { get; }

    /// <summary>What the SDK exported, so a benchmark can check that its deliveries were counted.</summary>
    public List<Metric> Exported { get; } = [];

    /// <summary>The sum the SDK holds for a counter without labels.</summary>
    public long Sum(string instrument)
    {
        Exported.Clear();
        _provider.ForceFlush();
        long sum = 0;
        foreach (var metric in Exported)
        {
            if (metric.Name == instrument)
            {
                foreach (ref readonly var point in metric.GetMetricPoints())
                {
                    sum += point.GetSumLong();
                }
            }
        }

        return sum;
    }

    public void Dispose()
    {
        _provider.Dispose();
        _services.Dispose();
    }
}
