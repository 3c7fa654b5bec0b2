using Brax.Viewer.Hubs.Access;
using Brax.Viewer.Hubs.Diagnostics;
using Brax.Viewer.Hubs.ScaleOut;

namespace Brax.Viewer.Server.Api;

/// <summary>Liveness (<c>/healthz</c>), readiness (<c>/readyz</c>) and the live counts of what the server holds (<c>/api/diagnostics</c>).</summary>
internal static class HealthApi
{
    public static void MapHealthApi(this IEndpointRouteBuilder endpoints)
    {
        // Liveness only: it never depends on an optional dependency such as Redis.
        endpoints.MapGet("/healthz", () => Results.Json(new { status = "ok" }));

        // Readiness: whether this instance reaches the others. A load balancer may stop routing new
        // clients here while the backplane is down; the clients already here keep being served.
        endpoints.MapGet("/readyz", (ScaleOutStatus scaleOut) => scaleOut.IsReady
            ? Results.Json(new { status = "ready", backplane = scaleOut.IsScaledOut ? "redis" : "none" })
            : ErrorResponse.Result(StatusCodes.Status503ServiceUnavailable, "redis backplane unavailable"));

        endpoints.MapGet("/api/diagnostics", (HubDiagnostics diagnostics) => Results.Json(new
        {
            raw_sockets = diagnostics.RawSockets,
            raw_sockets_direct = diagnostics.RawSocketsWritingDirect,
            streamers = diagnostics.Streamers,
            frame_viewers = diagnostics.FrameViewers,
            control_clients = diagnostics.ControlClients,
            viewer_groups = diagnostics.ViewerGroups,
            viewer_memberships = diagnostics.ViewerMemberships,
            frames_skipped = diagnostics.FramesSkipped,
            viewers_evicted = diagnostics.ViewersEvicted,
            refused = diagnostics.Refusals,
        })).RequireAuthorization(AccessPolicies.View);
    }
}
