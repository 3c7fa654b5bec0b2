using System.Collections.Concurrent;
using Brax.Viewer.Hubs.Fanout;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Brax.Viewer.Hubs.ScaleOut;

/// <summary>
/// The viewers of each group on every instance: each instance keeps its own count in a Redis hash
/// (<c>PREFIX:viewer-counts:GROUP</c>, one field per instance) and says on a channel that it changed;
/// a count is the sum over the instances that are alive (each keeps <c>PREFIX:instance:ID</c> fresh).
/// While Redis is down, the count is this instance's own.
/// </summary>
internal sealed partial class RedisViewerCounts : IViewerCounts, IHostedService, IDisposable
{
    private static readonly RedisChannel ChangesChannel = RedisChannel.Literal("viewer-counts");
    private static readonly TimeSpan InstanceLifetime = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(5);

    private readonly RedisConnection _redis;
    private readonly ViewerGroups _local;
    private readonly ILogger<RedisViewerCounts> _logger;
    private readonly string _instance = Guid.NewGuid().ToString("N");
    private readonly ConcurrentDictionary<string, byte> _unwritten = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private Timer? _heartbeat;

    public RedisViewerCounts(RedisConnection redis, ViewerGroups local, ILogger<RedisViewerCounts> logger)
    {
        _redis = redis;
        _local = local;
        _logger = logger;
        local.MembershipChanged += OnLocalChange;
    }

    public event Action<string>? Changed;

    public async ValueTask<int> CountAsync(string group, CancellationToken cancellationToken = default)
    {
        var own = _local.CountOf(group);
        if (_redis.Multiplexer is not { IsConnected: true } multiplexer)
        {
            return own;
        }

        try
        {
            var database = multiplexer.GetDatabase();
            var fields = await database.HashGetAllAsync(_redis.Key("viewer-counts", group)).WaitAsync(_redis.Options.CommandTimeout, cancellationToken);
            var others = fields.Where(field => field.Name != _instance).ToArray();
            if (others.Length == 0)
            {
                return own;
            }

            // Only instances still alive count: one that died leaves its field behind.
            var alive = await database.StringGetAsync([.. others.Select(field => _redis.Key("instance", field.Name.ToString()))]).WaitAsync(_redis.Options.CommandTimeout, cancellationToken);
            return own + others.Where((_, i) => alive[i].HasValue).Sum(field => (int)field.Value);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            Log.CountFailed(_logger, group, ex);
            return own;
        }
    }

    // Never holds start-up for Redis: the subscription is made once Redis is reachable.
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = SubscribeAsync(_stopping.Token);
        _heartbeat = new Timer(_ => _ = BeatAsync(), null, TimeSpan.Zero, Heartbeat);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping.Cancel();
        _heartbeat?.Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _heartbeat?.Dispose();
        _stopping.Dispose();
    }

    // From then on StackExchange.Redis resubscribes by itself after every reconnect.
    private async Task SubscribeAsync(CancellationToken stopping)
    {
        var multiplexer = await _redis.ConnectAsync();
        while (!stopping.IsCancellationRequested)
        {
            if (multiplexer.IsConnected)
            {
                try
                {
                    var queue = await multiplexer.GetSubscriber().SubscribeAsync(ChangesChannel);
                    queue.OnMessage(message => Changed?.Invoke(message.Message.ToString()));
                    return;
                }
                catch (RedisException ex)
                {
                    Log.WriteFailed(_logger, "*", ex);
                }
            }

            try
            {
                await Task.Delay(250, stopping);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private void OnLocalChange(string group)
    {
        Changed?.Invoke(group);
        _unwritten.TryAdd(group, 0);
        _ = WriteAsync(announce: true);
    }

    // Writes this instance's changed counts and, for a change, tells the others; what fails is
    // written at the next beat.
    private async Task WriteAsync(bool announce)
    {
        if (_redis.Multiplexer is not { IsConnected: true } multiplexer)
        {
            return;
        }

        if (_unwritten.IsEmpty)
        {
            return;
        }

        try
        {
            // Alive before counted: the others ignore the fields of instances they believe gone.
            await multiplexer.GetDatabase().StringSetAsync(_redis.Key("instance", _instance), 1, InstanceLifetime);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            Log.WriteFailed(_logger, "*", ex);
            return;
        }

        foreach (var group in _unwritten.Keys)
        {
            _unwritten.TryRemove(group, out _);
            try
            {
                var database = multiplexer.GetDatabase();
                var key = _redis.Key("viewer-counts", group);
                var count = _local.CountOf(group);
                await (count == 0 ? database.HashDeleteAsync(key, _instance) : database.HashSetAsync(key, _instance, count));
                await database.KeyExpireAsync(key, TimeSpan.FromDays(1));
                if (announce)
                {
                    await multiplexer.GetSubscriber().PublishAsync(ChangesChannel, group);
                }
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                _unwritten.TryAdd(group, 0);
                Log.WriteFailed(_logger, group, ex);
            }
        }
    }

    private async Task BeatAsync()
    {
        if (_redis.Multiplexer is not { IsConnected: true } multiplexer)
        {
            return;
        }

        try
        {
            await multiplexer.GetDatabase().StringSetAsync(_redis.Key("instance", _instance), 1, InstanceLifetime);

            // Counts are rewritten at every beat too, so a Redis that lost its data has them again.
            foreach (var group in _local.ViewedGroups)
            {
                _unwritten.TryAdd(group, 0);
            }

            await WriteAsync(announce: false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            Log.WriteFailed(_logger, "*", ex);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.ViewerCountReadFailed, EventName = nameof(EventIds.ViewerCountReadFailed), Level = LogLevel.Warning, Message = "Could not read the viewer count of {Group} from Redis; answering with this instance's own.")]
        public static partial void CountFailed(ILogger logger, string group, Exception exception);

        [LoggerMessage(EventId = EventIds.ViewerCountWriteFailed, EventName = nameof(EventIds.ViewerCountWriteFailed), Level = LogLevel.Warning, Message = "Could not write the viewer count of {Group} to Redis; it is written again at the next heartbeat.")]
        public static partial void WriteFailed(ILogger logger, string group, Exception exception);
    }
}
