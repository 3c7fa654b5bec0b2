using Brax.Viewer.Server.Page;

// In the host's namespace, beside ViewerServer that calls them, so wiring needs no extra using.
namespace Brax.Viewer.Server;

/// <summary>Maps the browser viewer page.</summary>
public static class ViewerPageEndpointRouteBuilderExtensions
{
    /// <summary>Maps <c>GET /</c> (the viewer, or a waiting page without a scene), <c>/assets/*</c> and <c>/favicon.ico</c>.</summary>
    public static IEndpointRouteBuilder MapViewerPage(this IEndpointRouteBuilder endpoints)
    {
        ViewerPage.Map(endpoints);
        return endpoints;
    }
}
