namespace Brax.Viewer.Hubs.ScaleOut;

/// <summary>Whether this server is scaled out, and whether it reaches the other instances now (readiness).</summary>
public sealed class ScaleOutStatus
{
    private readonly RedisConnection? _redis;
    private readonly RedisFrameBackplane? _frames;

    internal ScaleOutStatus(RedisConnection? redis, RedisFrameBackplane? frames)
    {
        _redis = redis;
        _frames = frames;
    }

    /// <summary>Whether a Redis backplane is configured (<c>ConnectionStrings:Redis</c>).</summary>
    public bool IsScaledOut => _redis is not null;

    /// <summary>
    /// Whether cross-instance delivery works now: always for a single server; with Redis, once it is
    /// connected and this instance listens for other instances' frames.
    /// </summary>
    public bool IsReady => _redis is null || (_redis.IsConnected && _frames is { IsSubscribed: true });
}
