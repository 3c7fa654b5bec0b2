using Brax.Viewer.Client;
using Brax.Viewer.Hubs.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Brax.Viewer.Hubs.Access;

/// <summary>Refuses, with 403 before any upgrade, what <see cref="OriginCheck"/> does not let through, and counts each refusal.</summary>
internal sealed partial class OriginCheckMiddleware(RequestDelegate next, IOptionsMonitor<AccessOptions> options, HubDiagnostics diagnostics, ILogger<OriginCheckMiddleware> logger)
{
    public Task InvokeAsync(HttpContext http)
    {
        var origin = http.Request.Headers[HeaderNames.Origin].ToString();
        if (origin.Length == 0 || !OriginCheck.Applies(http.Request) || OriginCheck.IsAllowed(origin, http.Request, options.CurrentValue))
        {
            return next(http);
        }

        if (diagnostics.Refused(RefusalReason.Origin, out var suppressed))
        {
            Log.Refused(logger, http.Request.Method, http.Request.Path, origin, http.Connection.RemoteIpAddress?.ToString(), suppressed);
        }

        http.Response.StatusCode = StatusCodes.Status403Forbidden;
        return http.Response.WriteAsJsonAsync(new ErrorBody($"pages from {origin} may not use this server (Viewer:AllowedOrigins)"));
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.OriginRefused, EventName = nameof(EventIds.OriginRefused), Level = LogLevel.Warning, Message = "Refused {Method} {Path} from a page of {Origin} at {RemoteAddress}: not an allowed origin. ({Suppressed} similar refusals not logged before this one.)")]
        public static partial void Refused(ILogger logger, string method, string path, string origin, string? remoteAddress, long suppressed);
    }
}
