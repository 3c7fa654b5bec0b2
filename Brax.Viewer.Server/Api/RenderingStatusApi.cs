using System.Text.Json;
using Brax.Viewer.Hubs;
using Brax.Viewer.Hubs.Access;

namespace Brax.Viewer.Server.Api;

/// <summary>
/// <c>GET/POST /api/rendering_status</c>: the render toggle over HTTP, as the original server had it,
/// for the run of <c>?run=</c>, and the same at <c>/api/runs/{run}/rendering_status</c>.
/// </summary>
internal static class RenderingStatusApi
{
    public const string Path = "/api/rendering_status";

    /// <summary>The same endpoint with the run in the path.</summary>
    public const string RunPath = "/api/runs/{" + RunName.RouteValue + "}/rendering_status";

    public static void MapRenderingStatusApi(this IEndpointRouteBuilder endpoints)
    {
        foreach (var path in (ReadOnlySpan<string>)[Path, RunPath])
        {
            endpoints.MapGet(path, GetAsync).RequireAuthorization(AccessPolicies.View);
            endpoints.MapPost(path, PostAsync).RequireAuthorization(AccessPolicies.Stream).RequireJsonBody();
        }
    }

    private static async Task<IResult> GetAsync(HttpContext http, IControlChannel control) =>
        RunName.TryRead(http, out var run, out var error)
            ? Results.Json(new { rendering_enabled = await control.GetRenderingAsync(run, http.RequestAborted) })
            : ErrorResponse.Result(StatusCodes.Status400BadRequest, error);

    private static async Task<IResult> PostAsync(HttpContext http, IControlChannel control)
    {
        if (!RunName.TryRead(http, out var run, out var error))
        {
            return ErrorResponse.Result(StatusCodes.Status400BadRequest, error);
        }

        var (enabled, problem) = await ReadToggleAsync(http);
        if (enabled is null)
        {
            return ErrorResponse.Result(StatusCodes.Status400BadRequest, problem!);
        }

        await control.SetRenderingAsync(run, enabled.Value, http.RequestAborted);
        return Results.Json(new { status = "success", rendering_enabled = enabled.Value });
    }

    private static async Task<(bool? Enabled, string? Problem)> ReadToggleAsync(HttpContext http)
    {
        // The body is at most Viewer:MaxRequestBodyBytes: RequestBodyLimitMiddleware answers 413 past it.
        try
        {
            using var body = await JsonDocument.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted);
            if (body.RootElement.ValueKind != JsonValueKind.Object)
            {
                return (null, "the body must be a JSON object like {\"rendering_enabled\": true}");
            }

            if (!body.RootElement.TryGetProperty("rendering_enabled", out var value))
            {
                return (null, "missing field 'rendering_enabled'");
            }

            return value.ValueKind switch
            {
                JsonValueKind.True => (true, null),
                JsonValueKind.False => (false, null),
                _ => (null, "'rendering_enabled' must be a boolean"),
            };
        }
        catch (JsonException ex)
        {
            return (null, "the body is not valid JSON: " + ex.Message);
        }
    }
}
