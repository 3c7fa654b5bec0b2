using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Brax.Viewer.Hubs.RawShim;

/// <summary>
/// Keeps every raw WebSocket alive from one timer: a socket silent for
/// <see cref="ViewerOptions.KeepAliveInterval"/> is pinged, and one whose ping goes unanswered for
/// <see cref="ViewerOptions.KeepAliveTimeout"/> is cut off. A timer per socket fires thousands of
/// times a second for thousands of idle viewers, and the runtime's timer queue walks all of them
/// on every firing; one sweep costs a pass over the sockets a few times per interval.
/// </summary>
internal sealed class KeepAliveSweep : IDisposable
{
    private static readonly TimeSpan ShortestPeriod = TimeSpan.FromMilliseconds(20);

    private readonly ConcurrentDictionary<RawSocketStream, Action> _sockets = new();
    private readonly long _intervalMs;
    private readonly long _timeoutMs;
    private readonly ITimer _timer;

    public KeepAliveSweep(IOptions<ViewerOptions> options, TimeProvider time)
    {
        var viewer = options.Value;
        _intervalMs = (long)viewer.KeepAliveInterval.TotalMilliseconds;
        _timeoutMs = (long)viewer.KeepAliveTimeout.TotalMilliseconds;

        // Four passes per interval, the granularity ManagedWebSocket's own heartbeat has: a ping goes
        // out within 1.25 intervals of silence, and an unanswered one is noticed within a quarter
        // interval of its timeout.
        var period = TimeSpan.FromTicks(Math.Max(Math.Min(viewer.KeepAliveInterval.Ticks, viewer.KeepAliveTimeout.Ticks) / 4, ShortestPeriod.Ticks));
        _timer = time.CreateTimer(static state => ((KeepAliveSweep)state!).Sweep(), this, period, period);
    }

    /// <summary>Keeps <paramref name="socket"/> alive until the returned registration is disposed; <paramref name="abort"/> cuts it off.</summary>
    public Registration Add(RawSocketStream socket, Action abort)
    {
        _sockets[socket] = abort;
        return new Registration(this, socket);
    }

    public void Dispose() => _timer.Dispose();

    private void Sweep()
    {
        var now = Environment.TickCount64;
        foreach (var (socket, abort) in _sockets)
        {
            if (!socket.KeepAlive(now, _intervalMs, _timeoutMs) && _sockets.TryRemove(socket, out _))
            {
                abort();
            }
        }
    }

    /// <summary>Ends a socket's keep-alive.</summary>
    public readonly struct Registration(KeepAliveSweep sweep, RawSocketStream socket) : IDisposable
    {
        public void Dispose() => sweep._sockets.TryRemove(socket, out _);
    }
}
