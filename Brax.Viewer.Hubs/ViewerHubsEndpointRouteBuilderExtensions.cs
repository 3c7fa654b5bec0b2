using Brax.Viewer.Client;
using Brax.Viewer.Hubs;
using Brax.Viewer.Hubs.Access;
using Brax.Viewer.Hubs.Protocols;
using Brax.Viewer.Hubs.RawShim;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

// Where ASP.NET Core puts MapHub: the host finds it without a using.
namespace Microsoft.AspNetCore.Builder;

/// <summary>Endpoint mapping of the Brax Viewer hubs and their raw WebSocket endpoints.</summary>
public static class ViewerHubsEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the hubs (<c>/hubs/frame</c>, <c>/hubs/control</c>) and the raw endpoints of the documented
    /// protocol (<c>/ws/frame</c>, <c>/ws/control</c>). Requires <c>AddViewerHubs</c> and <c>UseWebSockets</c>.
    /// </summary>
    public static IEndpointRouteBuilder MapViewerHubs(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapHub<FrameHub>(FrameHubContract.Path).RequireRateLimiting(ConnectionLimitPolicy.Name).WithMetadata(StreamedRequestBody.Instance);
        endpoints.MapHub<ControlHub>(ControlHubContract.Path).RequireRateLimiting(ConnectionLimitPolicy.Name).WithMetadata(StreamedRequestBody.Instance);

        var options = endpoints.ServiceProvider.GetRequiredService<IOptions<ViewerOptions>>().Value;
        var frames = new RawEndpoint(RawEndpointContract.FramePath, RawFrameProtocol.ProtocolName, options.MaxFrameBytes, role => role.IsStreamer);
        var control = new RawEndpoint(RawEndpointContract.ControlPath, RawControlProtocol.ProtocolName, options.MaxControlMessageBytes, _ => true);
        endpoints.Map(frames.Path, frames.HandleAsync<FrameHub>).RequireAuthorization(AccessPolicies.ConnectFrames).RequireRateLimiting(ConnectionLimitPolicy.Name).WithMetadata(StreamedRequestBody.Instance);
        endpoints.Map(control.Path, control.HandleAsync<ControlHub>).RequireAuthorization(AccessPolicies.View).RequireRateLimiting(ConnectionLimitPolicy.Name).WithMetadata(StreamedRequestBody.Instance);
        return endpoints;
    }

    /// <summary>
    /// Adds what guards the hubs and any endpoint that names an <see cref="AccessPolicies"/> policy:
    /// the origin check for browser pages, then authentication by access key and authorization, then
    /// ASP.NET Core's rate limiter, which holds the hubs and raw endpoints to <c>Viewer:MaxConnections</c>
    /// (the host must not add <c>UseRateLimiter</c> again). Call before the endpoints run (after
    /// forwarded headers, so the server's own origin is right).
    /// </summary>
    public static IApplicationBuilder UseViewerAccess(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.UseMiddleware<OriginCheckMiddleware>().UseAuthentication().UseAuthorization().UseRateLimiter();
    }
}
