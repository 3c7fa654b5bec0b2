using System.Globalization;
using Brax.Viewer.Hubs.Access;
using Brax.Viewer.Hubs.State;
using Brax.Viewer.Server.Api;
using Microsoft.Extensions.Options;

namespace Brax.Viewer.Server.Scenes;

/// <summary>
/// <c>PUT /api/system</c>, <c>DELETE /api/system</c>, <c>GET /api/system</c> and <c>GET /api/system/info</c>
/// (the page's always-200 view of whether a scene is loaded, so a waiting page never logs a 404),
/// for the run of <c>?run=</c>, and the same under <c>/api/runs/{run}/system</c>.
/// </summary>
internal static class SceneApi
{
    public const string Path = "/api/system";

    /// <summary>The same endpoints with the run in the path.</summary>
    public const string RunPath = "/api/runs/{" + RunName.RouteValue + "}/system";

    public static void Map(IEndpointRouteBuilder endpoints)
    {
        // Scenes are far larger than the other JSON bodies: this endpoint has a limit of its own.
        var maxSceneBytes = endpoints.ServiceProvider.GetRequiredService<IOptions<SceneOptions>>().Value.MaxSceneBytes;
        foreach (var path in (ReadOnlySpan<string>)[Path, RunPath])
        {
            endpoints.MapPut(path, PutAsync).RequireAuthorization(AccessPolicies.Stream).RequireJsonBody()
                .WithMetadata(new BodyLimit(maxSceneBytes, "Viewer:MaxSceneBytes"));
            endpoints.MapDelete(path, DeleteAsync).RequireAuthorization(AccessPolicies.Stream);
            endpoints.MapGet(path, GetAsync).RequireAuthorization(AccessPolicies.View);
            endpoints.MapGet(path + "/info", GetInfoAsync).RequireAuthorization(AccessPolicies.View);
        }
    }

    private static async Task<IResult> PutAsync(HttpContext context, SceneLoader loader, IOptions<SceneOptions> options)
    {
        if (!RunName.TryRead(context, out var run, out var runError))
        {
            return Error(StatusCodes.Status400BadRequest, runError);
        }

        int? numEnvs = null;
        if (context.Request.Query.TryGetValue("num_envs", out var envsText))
        {
            if (!int.TryParse(envsText, NumberStyles.None, CultureInfo.InvariantCulture, out var envs) || envs < 1)
            {
                return Error(StatusCodes.Status400BadRequest, "num_envs must be a positive integer");
            }

            numEnvs = envs;
        }

        // An upload the store has no room for is refused before it is read when its length is
        // declared, and before it is made one array when it is not.
        var max = options.Value.MaxSceneBytes;
        var tooLarge = $"the scene is larger than the limit of {max} bytes (Viewer:MaxSceneBytes)";
        byte[] body;
        if (context.Request.ContentLength is { } declared)
        {
            if (declared > max)
            {
                return Error(StatusCodes.Status413PayloadTooLarge, tooLarge);
            }

            if (await loader.CheckRoomAsync(run, declared, context.RequestAborted) is { } full)
            {
                return Error(StatusCodes.Status507InsufficientStorage, full.Error!);
            }

            // Read straight into the array the store keeps: no second copy.
            body = new byte[declared];
            await context.Request.Body.ReadExactlyAsync(body, context.RequestAborted);
        }
        else
        {
            using var upload = await UploadChunks.ReadAsync(context.Request.Body, max, context.RequestAborted);
            if (upload is null)
            {
                return Error(StatusCodes.Status413PayloadTooLarge, tooLarge);
            }

            if (await loader.CheckRoomAsync(run, upload.Length, context.RequestAborted) is { } full)
            {
                return Error(StatusCodes.Status507InsufficientStorage, full.Error!);
            }

            body = upload.ToArray();
        }

        var result = await loader.LoadAsync(run, body, numEnvs, context.RequestAborted);
        return result.IsLoaded ? Results.NoContent()
            : Error(result.OverLimit ? StatusCodes.Status507InsufficientStorage : StatusCodes.Status400BadRequest, result.Error!);
    }

    private static async Task<IResult> DeleteAsync(HttpContext context, SceneLoader loader)
    {
        if (!RunName.TryRead(context, out var run, out var runError))
        {
            return Error(StatusCodes.Status400BadRequest, runError);
        }

        return await loader.DeleteAsync(run, context.RequestAborted) ? Results.NoContent() : Error(StatusCodes.Status404NotFound, "no scene loaded");
    }

    private static async Task<IResult> GetAsync(HttpContext context, ISceneStore store)
    {
        if (!RunName.TryRead(context, out var run, out var runError))
        {
            return Error(StatusCodes.Status400BadRequest, runError);
        }

        var scene = await store.GetAsync(run, context.RequestAborted);
        if (scene is null)
        {
            return Error(StatusCodes.Status404NotFound, "no scene loaded");
        }

        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers["X-Scene-Tag"] = scene.Info.Tag;
        return Results.Bytes(scene.Json, "application/json");
    }

    private static async Task<IResult> GetInfoAsync(HttpContext context, ISceneStore store)
    {
        if (!RunName.TryRead(context, out var run, out var runError))
        {
            return Error(StatusCodes.Status400BadRequest, runError);
        }

        context.Response.Headers.CacheControl = "no-store";
        var scene = await store.GetAsync(run, context.RequestAborted);
        if (scene is null)
        {
            return Results.Json(new { loaded = false, run });
        }

        var info = scene.Info;
        return Results.Json(new
        {
            loaded = true,
            run,
            tag = info.Tag,
            links = info.Links,
            num_envs = info.NumEnvs,
            links_per_env = info.LinksPerEnv,
            bytes = info.Bytes,
        });
    }

    private static IResult Error(int status, string message) => ErrorResponse.Result(status, message);
}
