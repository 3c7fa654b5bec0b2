using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Brax.Viewer.Hubs.ScaleOut;

/// <summary>
/// Values every instance shares through Redis (keys <c>PREFIX:KIND:ID</c>), with a local copy of the
/// last value seen. While Redis is down, reads answer from that copy and writes are kept locally and
/// written through when Redis returns (last writer wins): clients never see an error because of Redis.
/// Writing <see cref="RedisValue.Null"/> deletes a value, through an outage like any other write.
/// </summary>
internal sealed partial class SharedValues
{
    // Long enough for every other instance's reconcile (every 2 s) to have written its outage's values.
    private static readonly TimeSpan CatchUpWindow = TimeSpan.FromSeconds(10);

    private readonly RedisConnection _redis;
    private readonly string _kind;
    private readonly ILogger<SharedValues> _logger;
    private readonly Func<string, Task>? _announce;
    private readonly ConcurrentDictionary<string, RedisValue> _known = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, RedisValue> _pending = new(StringComparer.Ordinal);
    private long _catchUpUntil;

    /// <param name="redis">The shared connection.</param>
    /// <param name="kind">The middle part of the keys.</param>
    /// <param name="logger">Where failures are logged; the kind is in every message.</param>
    /// <param name="announce">
    /// Called with the id of a value that changed out of sight of some clients during an outage: a
    /// value kept locally once it is in Redis (the other instances' clients missed it), and, after a
    /// reconnect, a value another instance wrote meanwhile (this instance's clients missed it).
    /// </param>
    public SharedValues(RedisConnection redis, string kind, ILogger<SharedValues> logger, Func<string, Task>? announce = null)
    {
        _redis = redis;
        _announce = announce;
        _kind = kind;
        _logger = logger;
        redis.Reconcile += () => _ = FlushAsync();
        if (announce is not null)
        {
            // Another instance writes what it kept during the outage at its own next reconcile, which
            // may come after this instance's reconnect: keep catching up for a while after it.
            redis.Restored += () =>
            {
                Volatile.Write(ref _catchUpUntil, Environment.TickCount64 + (long)CatchUpWindow.TotalMilliseconds);
                _ = CatchUpAsync();
            };
            redis.Reconcile += () =>
            {
                if (Environment.TickCount64 < Volatile.Read(ref _catchUpUntil))
                {
                    _ = CatchUpAsync();
                }
            };
        }
    }

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

                // Absent is known too: a value another instance writes during an outage is then news.
                _known[id] = value;
                return value;
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                Log.ReadFailed(_logger, _kind, id, ex);
            }
        }

        return _known.TryGetValue(id, out var known) ? known : RedisValue.Null;
    }

    /// <summary>The values this instance holds a copy of, the ones written during an outage included.</summary>
    public IEnumerable<KeyValuePair<string, RedisValue>> Known => _known.Where(pair => pair.Value.HasValue);

    /// <summary>
    /// The ids that have a value: those in Redis (found with <c>SCAN</c>, not read), as this
    /// instance's writes still waiting for Redis change them; while Redis is down, the ones this
    /// instance knows of.
    /// </summary>
    public async ValueTask<IReadOnlyCollection<string>> IdsAsync(CancellationToken cancellationToken)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var fromRedis = false;
        if (_redis.Multiplexer is { IsConnected: true } multiplexer)
        {
            try
            {
                var prefix = _redis.Key(_kind, string.Empty).ToString();
                foreach (var server in multiplexer.GetServers())
                {
                    if (server.IsConnected && !server.IsReplica)
                    {
                        await foreach (var key in server.KeysAsync(pattern: prefix + "*").WithCancellation(cancellationToken))
                        {
                            ids.Add(key.ToString()[prefix.Length..]);
                        }
                    }
                }

                fromRedis = true;
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                Log.ReadFailed(_logger, _kind, "*", ex);
                ids.Clear();
            }
        }

        if (!fromRedis)
        {
            ids.UnionWith(Known.Select(pair => pair.Key));
        }

        foreach (var (id, value) in _pending)
        {
            if (value.IsNull)
            {
                ids.Remove(id);
            }
            else
            {
                ids.Add(id);
            }
        }

        return ids;
    }

    /// <summary>Whether a write of <paramref name="id"/> made during an outage still waits for Redis.</summary>
    public bool IsPending(string id) => _pending.ContainsKey(id);

    /// <summary>Takes note of <paramref name="value"/>, which the caller has just written to Redis itself.</summary>
    public void Remember(string id, RedisValue value) => _known[id] = value;

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
            if (await TryWriteAsync(id, value))
            {
                await AnnounceAsync(id);
            }
        }
    }

    // After a reconnect: what other instances wrote while this one was cut off is news to its clients.
    private async Task CatchUpAsync()
    {
        if (_redis.Multiplexer is not { IsConnected: true } multiplexer)
        {
            return;
        }

        try
        {
            var prefix = _redis.Key(_kind, string.Empty).ToString();
            var ids = new HashSet<string>(_known.Keys, StringComparer.Ordinal);
            foreach (var server in multiplexer.GetServers())
            {
                if (server.IsConnected && !server.IsReplica)
                {
                    await foreach (var key in server.KeysAsync(pattern: prefix + "*"))
                    {
                        ids.Add(key.ToString()[prefix.Length..]);
                    }
                }
            }

            foreach (var id in ids)
            {
                if (_pending.ContainsKey(id))
                {
                    continue;
                }

                var value = await multiplexer.GetDatabase().StringGetAsync(_redis.Key(_kind, id)).WaitAsync(_redis.Options.CommandTimeout);
                var known = _known.TryGetValue(id, out var seen) ? seen : RedisValue.Null;

                // A value written or deleted elsewhere: a deletion is news to this instance's clients too.
                if (value != known)
                {
                    _known[id] = value;
                    await AnnounceAsync(id);
                }
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // Not every link is back yet; the next restore event tries again.
            Log.ReadFailed(_logger, _kind, "*", ex);
        }
    }

    private async Task AnnounceAsync(string id)
    {
        if (_announce is null)
        {
            return;
        }

        try
        {
            await _announce(id);
        }
#pragma warning disable CA1031 // A failed announcement must not stop the other values.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.NotifyFailed(_logger, _kind, id, ex);
        }
    }

    private async Task<bool> TryWriteAsync(string id, RedisValue value)
    {
        if (_redis.Multiplexer is not { } multiplexer)
        {
            return false;
        }

        try
        {
            var database = multiplexer.GetDatabase();
            var key = _redis.Key(_kind, id);
            await (value.IsNull ? database.KeyDeleteAsync(key) : database.StringSetAsync(key, value)).WaitAsync(_redis.Options.CommandTimeout);

            // Only if no newer write came in meanwhile: that one is still to be written.
            _pending.TryRemove(new KeyValuePair<string, RedisValue>(id, value));
            return true;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            Log.WriteDeferred(_logger, _kind, id, ex);
            return false;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.SharedValueReadFailed, EventName = nameof(EventIds.SharedValueReadFailed), Level = LogLevel.Warning, Message = "Could not read {Kind} of '{Id}' from Redis; answering from the last known value.")]
        public static partial void ReadFailed(ILogger logger, string kind, string id, Exception exception);

        [LoggerMessage(EventId = EventIds.SharedValueWriteDeferred, EventName = nameof(EventIds.SharedValueWriteDeferred), Level = LogLevel.Warning, Message = "Could not write {Kind} of '{Id}' to Redis; kept locally and written when Redis returns.")]
        public static partial void WriteDeferred(ILogger logger, string kind, string id, Exception exception);

        [LoggerMessage(EventId = EventIds.SharedValueNotifyFailed, EventName = nameof(EventIds.SharedValueNotifyFailed), Level = LogLevel.Warning, Message = "{Kind} of '{Id}' changed during a Redis outage, but the clients could not be told.")]
        public static partial void NotifyFailed(ILogger logger, string kind, string id, Exception exception);
    }
}
