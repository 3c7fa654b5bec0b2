namespace Brax.Viewer.Hubs.Protocols;

/// <summary>
/// Lets a few reports of bad input through per window and counts the rest, so a client that sends
/// garbage a thousand times a second cannot flood the log.
/// </summary>
internal sealed class LogThrottle(int perWindow = 5, long windowMs = 10_000)
{
    private readonly Lock _gate = new();
    private long _windowStart = long.MinValue;
    private int _inWindow;
    private long _suppressed;

    /// <summary>
    /// Whether this report may be logged. When a new window opens, <paramref name="suppressed"/> says
    /// how many reports the previous windows swallowed, so the log can say so.
    /// </summary>
    public bool TryEnter(out long suppressed)
    {
        var now = Environment.TickCount64;
        lock (_gate)
        {
            suppressed = 0;
            if (now - _windowStart >= windowMs)
            {
                _windowStart = now;
                _inWindow = 0;
                suppressed = _suppressed;
                _suppressed = 0;
            }

            if (_inWindow < perWindow)
            {
                _inWindow++;
                return true;
            }

            _suppressed++;
            return false;
        }
    }
}
