using System.Globalization;
using Brax.Viewer.Client;
using Brax.Viewer.Hubs.Access;
using Brax.Viewer.Hubs.Runs;
using Brax.Viewer.Hubs.State;
using Brax.Viewer.Server.Api;
using Brax.Viewer.Server.Page;
using Microsoft.Net.Http.Headers;

namespace Brax.Viewer.Server.Runs;

/// <summary>
/// <c>GET /api/runs/{run}/recording</c>: the run's history as a recording (JSON Lines, see
/// <see cref="RecordingWriter"/>), optionally from and to a server time. A run without recent
/// frames has an empty recording (200, no lines); a server that keeps no history answers 404.
/// <c>?format=html</c> gives the recording as one self-contained HTML file that replays it offline in
/// the run's scene (<see cref="OfflineReplayExport"/>); a run without a scene has none (404).
/// </summary>
internal static class RecordingApi
{
    /// <summary>Why there is no recording on a server that keeps no history.</summary>
    internal const string HistoryDisabled = "this server keeps no history (Viewer:HistoryWindow or Viewer:HistoryMaxBytes is 0)";

    /// <summary>The formats of <c>?format=</c>; the first is the default.</summary>
    private static readonly string[] Formats = ["jsonl", Html];

    private const string Html = "html";

    /// <summary>Why a run has no HTML replay.</summary>
    internal const string NoScene = "the run has no scene: an HTML replay draws the frames in the run's scene, so load one first";

    public static IEndpointRouteBuilder MapRecordingApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/runs/{run}/recording", Get).RequireAuthorization(AccessPolicies.View);
        return endpoints;
    }

    private static async Task<IResult> Get(HttpContext http, string run, FrameHistory history, ISceneStore scenes)
    {
        if (!RunContract.TryResolve(run, out var name, out var runError))
        {
            return ErrorResponse.Result(StatusCodes.Status400BadRequest, runError);
        }

        var format = http.Request.Query["format"].ToString();
        if (format.Length != 0 && !Formats.Contains(format, StringComparer.Ordinal))
        {
            return ErrorResponse.Result(StatusCodes.Status400BadRequest, $"unknown format '{format}': the formats are {string.Join(", ", Formats)}");
        }

        if (!TryReadTime(http, "from", out var from, out var error) || !TryReadTime(http, "to", out var to, out error))
        {
            return ErrorResponse.Result(StatusCodes.Status400BadRequest, error);
        }

        if (!history.IsEnabled)
        {
            return ErrorResponse.Result(StatusCodes.Status404NotFound, HistoryDisabled);
        }

        if (format != Html)
        {
            return new RecordingResult(history.Read(name, from, to));
        }

        // Read the frames first: a scene changed after them would only ever be newer.
        var frames = history.Read(name, from, to);
        return await scenes.GetAsync(name, http.RequestAborted) is { } scene
            ? new HtmlReplayResult(name, scene, frames)
            : ErrorResponse.Result(StatusCodes.Status404NotFound, NoScene);
    }

    /// <summary>Reads an optional time in Unix milliseconds from the query.</summary>
    private static bool TryReadTime(HttpContext http, string name, out long? time, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? error)
    {
        time = null;
        error = null;
        var text = http.Request.Query[name].ToString();
        if (text.Length == 0)
        {
            return true;
        }

        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            error = $"'{name}' must be a whole number of milliseconds since the Unix epoch (server time)";
            return false;
        }

        time = value;
        return true;
    }

    /// <summary>Streams the frames into the response, each frame's bytes written as they are.</summary>
    private sealed class RecordingResult(IReadOnlyList<RecordedFrame> frames) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = StatusCodes.Status200OK;
            httpContext.Response.ContentType = RecordingWriter.ContentType;
            httpContext.Response.Headers.CacheControl = "no-store";
            return RecordingWriter.WriteAsync(httpContext.Response.BodyWriter, frames, httpContext.RequestAborted);
        }
    }

    /// <summary>Streams the offline replay file, offered as a download named after the run.</summary>
    private sealed class HtmlReplayResult(string run, StoredScene scene, IReadOnlyList<RecordedFrame> frames) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            var response = httpContext.Response;
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = OfflineReplayExport.ContentType;
            response.Headers.CacheControl = "no-store";

            // The file runs its own inline script and style, which the server's usual policy forbids.
            response.Headers.ContentSecurityPolicy = OfflineReplayExport.ContentSecurityPolicy;
            var disposition = new ContentDispositionHeaderValue("attachment");
            disposition.SetHttpFileName(run + ".html");
            response.Headers.ContentDisposition = disposition.ToString();
            return OfflineReplayExport.WriteAsync(response.BodyWriter, scene, frames.Select(frame => (frame.TimeMs, frame.Frame.Utf8Json)), httpContext.RequestAborted);
        }
    }
}
