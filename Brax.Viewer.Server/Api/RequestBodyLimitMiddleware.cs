using Brax.Viewer.Hubs.Diagnostics;
using Microsoft.AspNetCore.Http.Features;

namespace Brax.Viewer.Server.Api;

/// <summary>
/// Answers a request body over its limit with 413 and the JSON error body. The limit is Kestrel's
/// (<see cref="RequestBodyOptions.MaxRequestBodyBytes"/>), or the endpoint's own
/// (<see cref="BodyLimit"/>), which routing has applied by the time this runs. A declared length
/// over it is refused before anything reads the body; a chunked body is refused when reading it
/// passes the limit and Kestrel fails the read, which would otherwise end as a 500 or an empty 413.
/// </summary>
internal sealed partial class RequestBodyLimitMiddleware(RequestDelegate next, HubDiagnostics diagnostics, ILogger<RequestBodyLimitMiddleware> logger)
{
    private const string DefaultSetting = "Viewer:MaxRequestBodyBytes";

    public async Task InvokeAsync(HttpContext http)
    {
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize is { } limit && http.Request.ContentLength > limit)
        {
            // The unread body is past what Kestrel will drain, so it closes the connection after the
            // answer; saying so keeps a client from sending its next request on a closing connection.
            http.Response.Headers.Connection = "close";
            await RefuseAsync(http, limit, http.Request.ContentLength.Value);
            return;
        }

        try
        {
            await next(http);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge && !http.Response.HasStarted)
        {
            await RefuseAsync(http, http.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize, null);
        }
    }

    private async Task RefuseAsync(HttpContext http, long? limit, long? declared)
    {
        var setting = http.GetEndpoint()?.Metadata.GetMetadata<BodyLimit>()?.Setting ?? DefaultSetting;
        if (diagnostics.Refused(RefusalReason.RequestBodyTooLarge, out var unlogged))
        {
            Log.Refused(logger, http.Request.Method, http.Request.Path, declared, limit, setting, unlogged);
        }

        await ErrorResponse.WriteAsync(http, StatusCodes.Status413PayloadTooLarge, $"the request body is larger than the limit of {limit} bytes ({setting})");
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.BodyTooLarge, EventName = nameof(EventIds.BodyTooLarge), Level = LogLevel.Warning, Message = "Refused {Method} {Path}: a body of {Declared} bytes (null: sent chunked) over the limit of {Limit} bytes ({Setting}). ({Unlogged} similar refusals not logged before this one.)")]
        public static partial void Refused(ILogger logger, string method, string path, long? declared, long? limit, string setting, long unlogged);
    }
}
