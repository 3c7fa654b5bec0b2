using Brax.Viewer.Server.Page;

#pragma warning disable IDE0130
namespace Microsoft.AspNetCore.Builder;
#pragma warning restore IDE0130

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
