using System.Threading.RateLimiting;
using Brax.Viewer.Client;
using Brax.Viewer.Hubs.Diagnostics;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Brax.Viewer.Hubs;

/// <summary>
/// At most <see cref="ViewerOptions.MaxControlMessagesPerSecond"/> toggles per control connection:
/// every toggle is broadcast to every control client of the run, so one client toggling in a loop
/// would flood them all. Raw <c>/ws/control</c> sockets and SignalR connections both reach
/// <see cref="ControlHub.ToggleRender"/> through here. A toggle over the rate is dropped, counted
/// and logged at a bounded rate; a SignalR caller that waits for the result gets a <see cref="HubException"/>.
/// </summary>
internal sealed partial class ControlRateLimitFilter(IOptions<ViewerOptions> options, HubDiagnostics diagnostics, ILogger<ControlRateLimitFilter> logger) : IHubFilter
{
    private static readonly object ItemKey = new();
    private readonly int _perSecond = options.Value.MaxControlMessagesPerSecond;

    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        if (_perSecond == 0 || invocationContext.HubMethodName != ControlHubContract.ToggleRender)
        {
            return await next(invocationContext);
        }

        var limiter = LimiterOf(invocationContext.Context);
        limiter.TryReplenish();
        using var lease = limiter.AttemptAcquire();
        if (lease.IsAcquired)
        {
            return await next(invocationContext);
        }

        if (diagnostics.Refused(RefusalReason.ControlRate, out var unlogged))
        {
            Log.ToggleDropped(logger, invocationContext.Context.ConnectionId, _perSecond, unlogged);
        }

        throw new HubException($"Too many control messages: at most {_perSecond} per second per connection (Viewer:MaxControlMessagesPerSecond); this one was dropped.");
    }

    public Task OnDisconnectedAsync(HubLifetimeContext context, Exception? exception, Func<HubLifetimeContext, Exception?, Task> next)
    {
        if (context.Context.Items.Remove(ItemKey, out var limiter))
        {
            ((IDisposable)limiter!).Dispose();
        }

        return next(context, exception);
    }

    // One bucket per connection, made on its first toggle: a page that only listens never gets one.
    // It is refilled when a toggle comes in rather than by a timer, so idle connections cost nothing:
    // a whole second's worth of tokens once a second has passed since the last refill.
    private TokenBucketRateLimiter LimiterOf(HubCallerContext connection)
    {
        if (connection.Items.TryGetValue(ItemKey, out var existing))
        {
            return (TokenBucketRateLimiter)existing!;
        }

        var limiter = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = _perSecond,
            TokensPerPeriod = _perSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            AutoReplenishment = false,
            QueueLimit = 0,
        });
        connection.Items[ItemKey] = limiter;
        return limiter;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.ToggleDropped, EventName = nameof(EventIds.ToggleDropped), Level = LogLevel.Warning, Message = "Dropped a toggle from control connection {ConnectionId}: over {PerSecond} per second (Viewer:MaxControlMessagesPerSecond). ({Unlogged} similar refusals not logged before this one.)")]
        public static partial void ToggleDropped(ILogger logger, string connectionId, int perSecond, long unlogged);
    }
}
