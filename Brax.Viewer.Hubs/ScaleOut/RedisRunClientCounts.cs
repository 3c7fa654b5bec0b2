using System.Globalization;
using Brax.Viewer.Hubs.Runs;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Brax.Viewer.Hubs.ScaleOut;

/// <summary>
/// The frame viewers and streamers of each run on every instance. Each instance writes its own in a
/// hash <c>PREFIX:run-clients:ID</c> (field: the run, value: <c>"VIEWERS STREAMERS"</c>), whole, at
/// every change and every <see cref="Heartbeat"/>; the hash expires <see cref="InstanceLifetime"/>
/// after its last write, so an instance that dies takes its clients with it. Each instance also
/// names itself in the sorted set <c>PREFIX:run-client-instances</c> (score: Unix ms of its last
/// write) where the others find its hash. While Redis is down, the counts are this instance's own.
/// </summary>
internal sealed partial class RedisRunClientCounts : IRunClientCounts, IHostedService, IDisposable
{
    private static readonly TimeSpan InstanceLifetime = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(5);

    // Names are only where to look (a dead instance's hash has expired): kept long, so clocks that
    // disagree by less than this cannot hide a live instance.
    private static readonly TimeSpan IndexHorizon = TimeSpan.FromMinutes(1);

    private readonly RedisConnection _redis;
    private readonly LocalRunClientCounts _local;
    private readonly TimeProvider _time;
    private readonly ILogger<RedisRunClientCounts> _logger;
    private readonly string _instance = Guid.NewGuid().ToString("N");
    private readonly RedisKey _ownKey;
    private readonly RedisKey _indexKey;
    private readonly SemaphoreSlim _writing = new(1, 1);
    private int _unwritten;
    private volatile bool _stopped;
    private ITimer? _heartbeat;

    public RedisRunClientCounts(RedisConnection redis, LocalRunClientCounts local, TimeProvider time, ILogger<RedisRunClientCounts> logger)
    {
        _redis = redis;
        _local = local;
        _time = time;
        _logger = logger;
        _ownKey = redis.Key("run-clients", _instance);
        _indexKey = redis.Key("run-client-instances", "all");
        local.Changed += _ => RequestWrite();
    }

    public async ValueTask<IReadOnlyDictionary<string, RunClientCount>> CountAllAsync(CancellationToken cancellationToken = default)
    {
        var counts = _local.CountAll();
        if (_redis.Multiplexer is not { IsConnected: true } multiplexer)
        {
            return counts;
        }

        try
        {
            var database = multiplexer.GetDatabase();
            var since = _time.GetUtcNow().Add(-IndexHorizon).ToUnixTimeMilliseconds();
            var instances = await database.SortedSetRangeByScoreAsync(_indexKey, since).WaitAsync(_redis.Options.CommandTimeout, cancellationToken);
            var reads = instances.Where(instance => instance != _instance).Select(instance => database.HashGetAllAsync(_redis.Key("run-clients", instance.ToString()))).ToArray();
            foreach (var entries in await Task.WhenAll(reads).WaitAsync(_redis.Options.CommandTimeout, cancellationToken))
            {
                foreach (var entry in entries)
                {
                    if (TryParse(entry.Value, out var count))
                    {
                        var run = entry.Name.ToString();
                        counts[run] = counts.GetValueOrDefault(run) + count;
                    }
                }
            }

            return counts;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            Log.CountFailed(_logger, ex);
            return _local.CountAll();
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _heartbeat = _time.CreateTimer(_ => RequestWrite(), null, TimeSpan.Zero, Heartbeat);
        return Task.CompletedTask;
    }

    // The others stop counting this instance's clients at once, not when its hash expires.
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopped = true;
        _heartbeat?.Dispose();
        if (_redis.Multiplexer is not { IsConnected: true } multiplexer)
        {
            return;
        }

        await _writing.WaitAsync(cancellationToken);
        try
        {
            var transaction = multiplexer.GetDatabase().CreateTransaction();
            _ = transaction.KeyDeleteAsync(_ownKey);
            _ = transaction.SortedSetRemoveAsync(_indexKey, _instance);
            await transaction.ExecuteAsync().WaitAsync(_redis.Options.CommandTimeout, cancellationToken);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or OperationCanceledException)
        {
            Log.WriteFailed(_logger, ex);
        }
        finally
        {
            _writing.Release();
        }
    }

    public void Dispose()
    {
        _heartbeat?.Dispose();
        _writing.Dispose();
    }

    private static bool TryParse(RedisValue value, out RunClientCount count)
    {
        var text = value.ToString().AsSpan();
        var space = text.IndexOf(' ');
        if (space > 0
            && int.TryParse(text[..space], NumberStyles.None, CultureInfo.InvariantCulture, out var viewers)
            && int.TryParse(text[(space + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var streamers))
        {
            count = new RunClientCount(viewers, streamers);
            return true;
        }

        count = default;
        return false;
    }

    private void RequestWrite()
    {
        Volatile.Write(ref _unwritten, 1);
        _ = WriteAsync();
    }

    // One writer at a time, each write the whole of this instance's counts as they are then: writes
    // cannot land out of order, and a change made while one is under way is written right after it.
    private async Task WriteAsync()
    {
        if (_stopped || _redis.Multiplexer is not { IsConnected: true } multiplexer || !_writing.Wait(0))
        {
            return;
        }

        try
        {
            while (!_stopped && Interlocked.Exchange(ref _unwritten, 0) == 1)
            {
                if (!await TryWriteAsync(multiplexer.GetDatabase()))
                {
                    // Written again at the next heartbeat.
                    return;
                }
            }
        }
        finally
        {
            _writing.Release();
        }

        if (Volatile.Read(ref _unwritten) == 1)
        {
            _ = WriteAsync();
        }
    }

    private async Task<bool> TryWriteAsync(IDatabase database)
    {
        var counts = _local.CountAll();
        var now = _time.GetUtcNow();
        var transaction = database.CreateTransaction();
        _ = transaction.KeyDeleteAsync(_ownKey);
        if (counts.Count > 0)
        {
            _ = transaction.HashSetAsync(_ownKey, [.. counts.Select(pair => new HashEntry(pair.Key, string.Create(CultureInfo.InvariantCulture, $"{pair.Value.Viewers} {pair.Value.Streamers}")))]);
            _ = transaction.KeyExpireAsync(_ownKey, InstanceLifetime);
        }

        _ = transaction.SortedSetAddAsync(_indexKey, _instance, now.ToUnixTimeMilliseconds());
        _ = transaction.SortedSetRemoveRangeByScoreAsync(_indexKey, double.NegativeInfinity, now.Add(-IndexHorizon).ToUnixTimeMilliseconds());
        try
        {
            await transaction.ExecuteAsync().WaitAsync(_redis.Options.CommandTimeout);
            return true;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            Volatile.Write(ref _unwritten, 1);
            Log.WriteFailed(_logger, ex);
            return false;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.RunClientCountReadFailed, EventName = nameof(EventIds.RunClientCountReadFailed), Level = LogLevel.Warning, Message = "Could not read the viewers and streamers of other instances' runs from Redis; answering with this instance's own.")]
        public static partial void CountFailed(ILogger logger, Exception exception);

        [LoggerMessage(EventId = EventIds.RunClientCountWriteFailed, EventName = nameof(EventIds.RunClientCountWriteFailed), Level = LogLevel.Warning, Message = "Could not write this instance's viewers and streamers of each run to Redis; they are written again at the next heartbeat.")]
        public static partial void WriteFailed(ILogger logger, Exception exception);
    }
}
