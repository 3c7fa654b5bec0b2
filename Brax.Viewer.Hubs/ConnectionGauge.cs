using Brax.Viewer.Client;
using Brax.Viewer.Hubs.Diagnostics;
using Microsoft.AspNetCore.SignalR;

namespace Brax.Viewer.Hubs;

/// <summary>
/// Counts a hub connection on the <c>brax.viewer.connections</c> gauge while it lasts. The labels it
/// was counted under are kept with the connection, so its departure takes away exactly what its
/// arrival added and the gauge returns to zero when everyone has gone.
/// </summary>
internal static class ConnectionGauge
{
    private static readonly object ItemKey = new();

    public static void Opened(HubCallerContext context, ViewerMetrics metrics, ConnectionEndpoint endpoint)
    {
        var tags = ConnectionTags.Of(IsRaw(context), endpoint);
        context.Items[ItemKey] = tags;
        metrics.ConnectionOpened(tags);
    }

    /// <summary>Takes the connection off the gauge, if <see cref="Opened"/> counted it.</summary>
    public static void Closed(HubCallerContext context, ViewerMetrics metrics)
    {
        if (context.Items.TryGetValue(ItemKey, out var kept) && kept is ConnectionTags tags && context.Items.Remove(ItemKey))
        {
            metrics.ConnectionClosed(tags);
        }
    }

    // A raw socket is a hub connection whose HTTP request is the raw endpoint's own upgrade request;
    // a SignalR client's request is on the hub's path.
    private static bool IsRaw(HubCallerContext context) =>
        context.GetHttpContext()?.Request.Path.Value is RawEndpointContract.FramePath or RawEndpointContract.ControlPath;
}
