using System.Globalization;
using Brax.Viewer.Client;
using Brax.Viewer.Hubs;
using Brax.Viewer.Hubs.Access;
using Brax.Viewer.Hubs.Runs;
using Brax.Viewer.Server.Api;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace Brax.Viewer.Server.Runs;

/// <summary>
/// <c>POST /api/runs/{run}/replay</c> streams a recording (the body, or <c>?source=RUN</c>'s
/// history) into the run as a streamer would, at the recorded pace or <c>?speed=N</c>; 202 once it
/// runs, 409 while the run is replayed into already. <c>DELETE</c> cancels it.
/// </summary>
internal static class ReplayApi
{
    private const string Path = "/api/runs/{run}/replay";

    public static IEndpointRouteBuilder MapReplayApi(this IEndpointRouteBuilder endpoints)
    {
        // A recording is far larger than the JSON bodies: this endpoint has a limit of its own.
        var maxReplayBytes = endpoints.ServiceProvider.GetRequiredService<IOptions<HistoryOptions>>().Value.MaxReplayBytes;
        endpoints.MapPost(Path, PostAsync).RequireAuthorization(AccessPolicies.Stream).RequireJsonBody(RecordingReader.ContentTypes)
            .WithMetadata(new BodyLimit(maxReplayBytes, "Viewer:MaxReplayBytes"));
        endpoints.MapDelete(Path, Delete).RequireAuthorization(AccessPolicies.Stream);
        return endpoints;
    }

    private static async Task<IResult> PostAsync(HttpContext http, string run, FrameHistory history, ReplayRunner replays, IOptions<HistoryOptions> options, IOptions<ViewerOptions> viewer)
    {
        if (!RunContract.TryResolve(run, out var target, out var runError))
        {
            return Error(StatusCodes.Status400BadRequest, runError);
        }

        if (!TryReadSpeed(http, out var speed, out var speedError))
        {
            return Error(StatusCodes.Status400BadRequest, speedError);
        }

        IReadOnlyList<RecordedFrame> frames;
        var hasBody = http.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody ?? http.Request.ContentLength > 0;
        if (http.Request.Query.TryGetValue("source", out var sourceText))
        {
            if (hasBody)
            {
                return Error(StatusCodes.Status400BadRequest, "give a recording in the body or ?source=RUN, not both");
            }

            if (!RunContract.TryResolve(sourceText.ToString(), out var source, out var sourceError) || sourceText.ToString().Length == 0)
            {
                return Error(StatusCodes.Status400BadRequest, "'source' " + (sourceError ?? "must name a run"));
            }

            if (!history.IsEnabled)
            {
                return Error(StatusCodes.Status404NotFound, RecordingApi.HistoryDisabled);
            }

            frames = history.Read(source);
            if (frames.Count == 0)
            {
                return Error(StatusCodes.Status404NotFound, $"run '{source}' has no frames in its history");
            }
        }
        else
        {
            var maxBytes = options.Value.MaxReplayBytes;
            var recording = await RecordingReader.ReadAsync(http.Request.BodyReader, maxBytes, viewer.Value.MaxFrameBytes, http.RequestAborted);
            if (recording.Frames is null)
            {
                return recording.TooLarge
                    ? Error(StatusCodes.Status413PayloadTooLarge, $"{recording.Error} (Viewer:MaxReplayBytes)")
                    : Error(StatusCodes.Status400BadRequest, recording.Error!);
            }

            frames = recording.Frames;
        }

        return replays.TryStart(target, frames, speed) switch
        {
            ReplayStartResult.Started => Results.Json(
                new { run = target, frames = frames.Count, duration_ms = (long)ReplayRunner.DurationOf(frames, speed).TotalMilliseconds, speed },
                statusCode: StatusCodes.Status202Accepted),
            ReplayStartResult.AlreadyReplaying => Error(StatusCodes.Status409Conflict, $"run '{target}' is being replayed into already; DELETE {http.Request.Path} cancels that replay"),
            _ => Error(StatusCodes.Status503ServiceUnavailable, "the server is stopping"),
        };
    }

    private static IResult Delete(string run, ReplayRunner replays)
    {
        if (!RunContract.TryResolve(run, out var target, out var runError))
        {
            return Error(StatusCodes.Status400BadRequest, runError);
        }

        return replays.Cancel(target) ? Results.NoContent() : Error(StatusCodes.Status404NotFound, $"no replay into run '{target}' is running");
    }

    private static bool TryReadSpeed(HttpContext http, out double speed, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? error)
    {
        speed = 1;
        error = null;
        var text = http.Request.Query["speed"].ToString();
        if (text.Length == 0)
        {
            return true;
        }

        if (!double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out speed)
            || !(speed >= ReplayRunner.MinSpeed && speed <= ReplayRunner.MaxSpeed))
        {
            error = $"'speed' must be a number from {ReplayRunner.MinSpeed.ToString(CultureInfo.InvariantCulture)} to {ReplayRunner.MaxSpeed.ToString(CultureInfo.InvariantCulture)}";
            return false;
        }

        return true;
    }

    private static IResult Error(int status, string message) => ErrorResponse.Result(status, message);
}
