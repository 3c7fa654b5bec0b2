using System.Text.Json.Serialization;
using Brax.Viewer.Hubs.Access;
using Brax.Viewer.Hubs.Runs;
using Brax.Viewer.Server.Api;

namespace Brax.Viewer.Server.Runs;

/// <summary>
/// <c>GET /api/runs</c>, every run the server knows of with its clients, frame rate and scene, and
/// <c>GET /api/runs/{run}</c>, one of them (404 when it is not known).
/// </summary>
internal static class RunsApi
{
    public const string Path = "/api/runs";

    public static IEndpointRouteBuilder MapRunsApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(Path, ListAsync).RequireAuthorization(AccessPolicies.View);
        endpoints.MapGet(Path + "/{" + RunName.RouteValue + "}", GetAsync).RequireAuthorization(AccessPolicies.View);
        return endpoints;
    }

    private static async Task<IResult> ListAsync(HttpContext http, RunDirectory directory)
    {
        var runs = await directory.ListAsync(http.RequestAborted);
        http.Response.Headers.CacheControl = "no-store";
        return Results.Json(new RunList([.. runs.Select(RunEntry.Of)]));
    }

    private static async Task<IResult> GetAsync(HttpContext http, RunDirectory directory)
    {
        if (!RunName.TryRead(http, out var run, out var error))
        {
            return ErrorResponse.Result(StatusCodes.Status400BadRequest, error);
        }

        http.Response.Headers.CacheControl = "no-store";
        return await directory.FindAsync(run, http.RequestAborted) is { } found
            ? Results.Json(RunEntry.Of(found))
            : ErrorResponse.Result(StatusCodes.Status404NotFound, "no such run: it has no client, no scene and no recent frame");
    }

    /// <summary>The body of <c>GET /api/runs</c>.</summary>
    private sealed record RunList([property: JsonPropertyName("runs")] IReadOnlyList<RunEntry> Runs);

    /// <summary>One run as the API shows it (and the page's run picker reads it).</summary>
    private sealed record RunEntry(
        [property: JsonPropertyName("name")] string Name,
        [property: JsonPropertyName("viewers")] int Viewers,
        [property: JsonPropertyName("streamers")] int Streamers,
        [property: JsonPropertyName("frames_per_second")] double FramesPerSecond,
        [property: JsonPropertyName("bytes_per_frame")] long BytesPerFrame,
        [property: JsonPropertyName("has_scene")] bool HasScene,
        [property: JsonPropertyName("last_frame_ms")] long? LastFrameMs,
        [property: JsonPropertyName("history")] HistoryEntry History,
        [property: JsonPropertyName("replaying")] bool Replaying)
    {
        public static RunEntry Of(RunSummary run) =>
            new(run.Name, run.Viewers, run.Streamers, run.FramesPerSecond, run.BytesPerFrame, run.HasScene, run.LastFrameUnixMs, new(run.History.Frames, run.History.Bytes), run.Replaying);
    }

    /// <summary>What the run's history on this instance holds.</summary>
    private sealed record HistoryEntry(
        [property: JsonPropertyName("frames")] int Frames,
        [property: JsonPropertyName("bytes")] long Bytes);
}
