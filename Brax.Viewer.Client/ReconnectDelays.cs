using System.Net;
using Microsoft.AspNetCore.SignalR.Client;

namespace Brax.Viewer.Client;

/// <summary>
/// Delays between connection attempts: doubling from the minimum to the maximum, each drawn between
/// half and all of its step so that the clients of a restarted server do not return all at once.
/// SignalR asks it after a lost connection; it never gives up, except on an access refusal.
/// </summary>
internal sealed class ReconnectDelays(TimeSpan minimum, TimeSpan maximum) : IRetryPolicy
{
    public TimeSpan Delay(long attempt)
    {
        var step = minimum.TotalMilliseconds * Math.Pow(2, Math.Min(attempt, 30));
        step = Math.Min(step, maximum.TotalMilliseconds);
#pragma warning disable CA5394 // Jitter, not security.
        return TimeSpan.FromMilliseconds(step / 2 + Random.Shared.NextDouble() * step / 2);
#pragma warning restore CA5394
    }

    public TimeSpan? NextRetryDelay(RetryContext retryContext) =>
        IsAccessRefusal(retryContext.RetryReason) ? null : Delay(retryContext.PreviousRetryCount);

    public static bool IsAccessRefusal(Exception? error) =>
        error is HttpRequestException { StatusCode: HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden };
}
