using System.Threading.RateLimiting;
using Brax.Viewer.Client;
using Brax.Viewer.Hubs.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Brax.Viewer.Hubs;

/// <summary>
/// At most <see cref="ViewerOptions.MaxConnections"/> requests open at once on the raw endpoints and
/// the hubs together, through ASP.NET Core's rate limiter: one concurrency limiter shared by those
/// endpoints, each request holding a permit while it is open. A WebSocket, raw or SignalR, is one
/// request for as long as it is connected, so that is the number of connections; SignalR's
/// negotiate and long-polling requests hold one while they are open. A request past the limit gets
/// 503 with the JSON error body before any upgrade. Kestrel's <c>MaxConcurrentUpgradedConnections</c>
/// would answer without that body (or fail the upgrade inside the endpoint), and would miss HTTP/2
/// WebSockets and SignalR's other transports.
/// </summary>
internal sealed partial class ConnectionLimitPolicy(IOptions<ViewerOptions> options, HubDiagnostics diagnostics, ILogger<ConnectionLimitPolicy> logger) : IRateLimiterPolicy<string>
{
    /// <summary>The policy's name, required by the endpoints it guards.</summary>
    public const string Name = "brax-viewer-connections";

    private readonly int _max = options.Value.MaxConnections;

    public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected => RefuseAsync;

    // One partition for every guarded endpoint: the limit is for the server, not per path or client.
    public RateLimitPartition<string> GetPartition(HttpContext httpContext) => _max == 0
        ? RateLimitPartition.GetNoLimiter(Name)
        : RateLimitPartition.GetConcurrencyLimiter(Name, _ => new ConcurrencyLimiterOptions { PermitLimit = _max, QueueLimit = 0 });

    private async ValueTask RefuseAsync(OnRejectedContext context, CancellationToken cancellationToken)
    {
        var http = context.HttpContext;
        if (diagnostics.Refused(RefusalReason.Connections, out var unlogged))
        {
            Log.Refused(logger, http.Request.Path, http.Connection.RemoteIpAddress?.ToString(), _max, unlogged);
        }

        http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        await http.Response.WriteAsJsonAsync(new ErrorBody($"the server is at its limit of {_max} connections (Viewer:MaxConnections); try again later"), cancellationToken);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.ConnectionRefused, EventName = nameof(EventIds.ConnectionRefused), Level = LogLevel.Warning, Message = "Refused a connection on {Path} from {RemoteAddress}: {Max} connections are open (Viewer:MaxConnections). ({Unlogged} similar refusals not logged before this one.)")]
        public static partial void Refused(ILogger logger, string path, string? remoteAddress, int max, long unlogged);
    }
}
