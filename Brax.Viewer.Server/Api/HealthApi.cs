using Brax.Viewer.Hubs.Diagnostics;
using Brax.Viewer.Hubs.Fanout;

namespace Brax.Viewer.Server.Api;

/// <summary>Liveness (<c>/healthz</c>) and the live counts of what the server holds (<c>/api/diagnostics</c>).</summary>
internal static class HealthApi
{
    public static void MapHealthApi(this IEndpointRouteBuilder endpoints)
    {
        // Liveness only: it never depends on an optional dependency such as Redis.
        endpoints.MapGet("/healthz", () => Results.Json(new { status = "ok" }));

        endpoints.MapGet("/api/diagnostics", (HubDiagnostics diagnostics, ViewerGroups viewers) => Results.Json(new
        {
            raw_sockets = diagnostics.RawSockets,
            streamers = diagnostics.Streamers,
            frame_viewers = diagnostics.FrameViewers,
            control_clients = diagnostics.ControlClients,
            viewer_groups = viewers.GroupCount,
            viewer_memberships = viewers.MembershipCount,
            frames_skipped = diagnostics.FramesSkipped,
            viewers_evicted = diagnostics.ViewersEvicted,
        }));
    }
}
