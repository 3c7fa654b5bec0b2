using Brax.Viewer.Server.Scenes;

// In the host's namespace, beside ViewerServer that calls them, so wiring needs no extra using.
namespace Brax.Viewer.Server;

/// <summary>Maps the scene API.</summary>
public static class SceneEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps <c>PUT /api/system</c>, <c>DELETE /api/system</c>, <c>GET /api/system</c> and <c>GET /api/system/info</c>,
    /// and each under <c>/api/runs/{run}/system</c>.
    /// </summary>
    public static IEndpointRouteBuilder MapSceneApi(this IEndpointRouteBuilder endpoints)
    {
        SceneApi.Map(endpoints);
        return endpoints;
    }
}
