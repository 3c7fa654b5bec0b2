using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Brax.Viewer.Hubs.ScaleOut;

/// <summary>
/// Values every instance shares through Redis (keys <c>PREFIX:KIND:ID</c>), with a local copy of the
/// last value seen. While Redis is down, reads answer from that copy and writes are kept locally and
/// written through when Redis returns (last writer wins): clients never see an error because of Redis.
/// </summary>
internal sealed partial class SharedValues
{
    private readonly RedisConnection _redis;
    private readonly string _kind;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, RedisValue> _known = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, RedisValue> _pending = new(StringComparer.Ordinal);

    public SharedValues(RedisConnection redis, string kind, ILogger logger)
    {
        _redis = redis;
        _kind = kind;
        _logger = logger;
        redis.Reconcile += () => _ = FlushAsync();
    }

    /// <summary>Values written while Redis was unavailable, not yet written through.</summary>
    public int PendingCount => _pending.Count;

    public async ValueTask<RedisValue> GetAsync(string id)
    {
        // A local write that has not reached Redis yet is newer than what Redis holds.
        if (_pending.TryGetValue(id, out var pending))
        {
            return pending;
        }

        if (_redis.Multiplexer is { IsConnected: true } multiplexer)
        {
            try
            {
                var value = await multiplexer.GetDatabase().StringGetAsync(_redis.Key(_kind, id)).WaitAsync(_redis.Options.CommandTimeout);
                if (value.HasValue)
                {
                    _known[id] = value;
                }

                return value;
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                Log.ReadFailed(_logger, _kind, id, ex.Message);
            }
        }

        return _known.TryGetValue(id, out var known) ? known : RedisValue.Null;
    }

    public async ValueTask SetAsync(string id, RedisValue value)
    {
        _known[id] = value;
        _pending[id] = value;
        if (_redis.Multiplexer is { IsConnected: true })
        {
            await TryWriteAsync(id, value);
        }
    }

    private async Task FlushAsync()
    {
        if (_pending.IsEmpty)
        {
            return;
        }

        foreach (var (id, value) in _pending)
        {
            await TryWriteAsync(id, value);
        }
    }

    private async Task TryWriteAsync(string id, RedisValue value)
    {
        if (_redis.Multiplexer is not { } multiplexer)
        {
            return;
        }

        try
        {
            await multiplexer.GetDatabase().StringSetAsync(_redis.Key(_kind, id), value).WaitAsync(_redis.Options.CommandTimeout);

            // Only if no newer write came in meanwhile: that one is still to be written.
            _pending.TryRemove(new KeyValuePair<string, RedisValue>(id, value));
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            Log.WriteDeferred(_logger, _kind, id, ex.Message);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Could not read {Kind} of '{Id}' from Redis ({Error}); answering from the last known value.")]
        public static partial void ReadFailed(ILogger logger, string kind, string id, string error);

        [LoggerMessage(2, LogLevel.Warning, "Could not write {Kind} of '{Id}' to Redis ({Error}); kept locally and written when Redis returns.")]
        public static partial void WriteDeferred(ILogger logger, string kind, string id, string error);
    }
}
