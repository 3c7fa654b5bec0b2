using System.Diagnostics.Metrics;
using Brax.Viewer.Hubs.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace Brax.Viewer.Tests.Infrastructure;

/// <summary>Instruments for units tested outside a server: on a meter factory of their own, which nothing listens to.</summary>
internal static class DetachedMetrics
{
    private static readonly ServiceProvider Meters = new ServiceCollection().AddMetrics().BuildServiceProvider();

    public static ViewerMetrics Create() => new(Meters.GetRequiredService<IMeterFactory>(), new HubDiagnostics());
}
