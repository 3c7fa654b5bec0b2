namespace Brax.Viewer.Hubs.Diagnostics;

/// <summary>
/// Lets a few reports through per window and counts the rest, so a client that sends garbage a
/// thousand times a second, or a dependency that fails on every call, cannot flood the log.
/// </summary>
internal sealed class LogThrottle
{
    private readonly Lock _gate = new();
    private readonly int _perWindow;
    private readonly TimeSpan _window;
    private readonly TimeProvider _time;
    private long _windowStart;
    private bool _windowOpen;
    private int _inWindow;
    private long _suppressed;

    /// <summary>A throttle of <paramref name="perWindow"/> reports per <paramref name="window"/> (default 5 per 10 s).</summary>
    public LogThrottle(int perWindow = 5, TimeSpan? window = null, TimeProvider? time = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(perWindow);
        _perWindow = perWindow;
        _window = window ?? TimeSpan.FromSeconds(10);
        _time = time ?? TimeProvider.System;
    }

    /// <summary>
    /// Whether this report may be logged. The first report of a new window gets, in
    /// <paramref name="suppressed"/>, how many reports the windows before it swallowed, so the log
    /// can say so.
    /// </summary>
    public bool TryEnter(out long suppressed)
    {
        var now = _time.GetTimestamp();
        lock (_gate)
        {
            suppressed = 0;
            if (!_windowOpen || _time.GetElapsedTime(_windowStart, now) >= _window)
            {
                _windowOpen = true;
                _windowStart = now;
                _inWindow = 0;
                suppressed = _suppressed;
                _suppressed = 0;
            }

            if (_inWindow < _perWindow)
            {
                _inWindow++;
                return true;
            }

            _suppressed++;
            return false;
        }
    }
}
