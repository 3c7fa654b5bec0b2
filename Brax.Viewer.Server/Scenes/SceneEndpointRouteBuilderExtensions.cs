using Brax.Viewer.Server.Scenes;

#pragma warning disable IDE0130
namespace Microsoft.AspNetCore.Builder;
#pragma warning restore IDE0130

/// <summary>Maps the scene API.</summary>
public static class SceneEndpointRouteBuilderExtensions
{
    /// <summary>Maps <c>PUT /api/system</c>, <c>GET /api/system</c> and <c>GET /api/system/info</c>.</summary>
    public static IEndpointRouteBuilder MapSceneApi(this IEndpointRouteBuilder endpoints)
    {
        SceneApi.Map(endpoints);
        return endpoints;
    }
}
