using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Brax.Viewer.Hubs.Diagnostics;

/// <summary>
/// The one reporter of bad input from raw clients, whichever layer finds it: the shim (binary
/// messages, messages over the size limit, text holding 0x1E) and the raw protocols (text that is
/// not a frame or control message). One rule, one throttle per endpoint: at most
/// <see cref="ReportsPerWindow"/> reports per <see cref="Window"/> for all its connections and
/// every kind of bad input together; the next report says how many were suppressed. A client
/// sending garbage as fast as it can, or a thousand of them, cannot flood the log. Every ignored
/// message is counted in <see cref="ViewerMetrics"/>, reported or held back.
/// </summary>
internal sealed partial class BadInputLog(ILogger<BadInputLog> logger, TimeProvider time, ViewerMetrics metrics)
{
    public const int ReportsPerWindow = 5;

    public static readonly TimeSpan Window = TimeSpan.FromSeconds(10);

    // Keyed by endpoint path: a handful of keys for the life of the server.
    private readonly ConcurrentDictionary<string, LogThrottle> _throttles = new(StringComparer.Ordinal);

    /// <summary>
    /// Counts a <paramref name="length"/>-byte message that <paramref name="endpoint"/> ignored for
    /// <paramref name="kind"/>, and logs it with <paramref name="reason"/>'s details unless the
    /// endpoint's throttle holds the report back.
    /// </summary>
    public void Report(string endpoint, long length, BadInputReason kind, string reason)
    {
        metrics.MessageIgnored(endpoint, kind);
        var throttle = _throttles.GetOrAdd(endpoint, static (_, time) => new LogThrottle(ReportsPerWindow, Window, time), time);
        if (throttle.TryEnter(out var suppressed))
        {
            Log.MessageIgnored(logger, length, endpoint, reason, suppressed);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.BadInputIgnored, EventName = nameof(EventIds.BadInputIgnored), Level = LogLevel.Warning, Message = "Ignored a {Length}-byte message on {Endpoint}: {Reason}. ({Suppressed} similar reports suppressed before this one.)")]
        public static partial void MessageIgnored(ILogger logger, long length, string endpoint, string reason, long suppressed);
    }
}
