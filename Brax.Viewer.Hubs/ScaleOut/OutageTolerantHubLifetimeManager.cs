using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.AspNetCore.SignalR.StackExchangeRedis;
using Microsoft.Extensions.Logging;

namespace Brax.Viewer.Hubs.ScaleOut;

/// <summary>
/// SignalR's Redis backplane for a hub, made to keep serving this server's clients while Redis is
/// down. <see cref="RedisHubLifetimeManager{THub}"/> delivers even local group messages only once
/// they come back from Redis, and its connect and join subscribe in Redis, so an outage would
/// silence every toggle and fail every new connection. Membership is therefore mirrored in a local
/// <see cref="DefaultHubLifetimeManager{THub}"/>: while Redis is up sends go through Redis to every
/// instance; while it is down (or a send through it fails) they reach this server's clients. Clients
/// that connect during an outage join Redis when it returns.
/// </summary>
internal sealed partial class OutageTolerantHubLifetimeManager<THub> : HubLifetimeManager<THub>, IDisposable
    where THub : Hub
{
    private readonly RedisHubLifetimeManager<THub> _redis;
    private readonly DefaultHubLifetimeManager<THub> _local;
    private readonly RedisConnection _connection;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, Member> _members = new(StringComparer.Ordinal);

    // Local members not (yet) fully in Redis: while there are any, sends also go to them directly.
    private int _detached;

    public OutageTolerantHubLifetimeManager(RedisHubLifetimeManager<THub> redis, RedisConnection connection, ILoggerFactory loggers)
    {
        _redis = redis;
        _connection = connection;
        _logger = loggers.CreateLogger<OutageTolerantHubLifetimeManager<THub>>();
        _local = new DefaultHubLifetimeManager<THub>(loggers.CreateLogger<DefaultHubLifetimeManager<THub>>());
        connection.Reconcile += () => _ = AttachDetachedAsync();
    }

    public override async Task OnConnectedAsync(HubConnectionContext connection)
    {
        await _local.OnConnectedAsync(connection);
        var member = new Member(connection);
        Interlocked.Increment(ref _detached);
        _members[connection.ConnectionId] = member;
        await TryAttachAsync(member);
    }

    public override async Task OnDisconnectedAsync(HubConnectionContext connection)
    {
        await _local.OnDisconnectedAsync(connection);
        if (!_members.TryRemove(connection.ConnectionId, out var member))
        {
            return;
        }

        bool wasDetached;
        lock (member)
        {
            member.Removed = true;
            wasDetached = !member.Attached;
            member.Attached = false;
        }

        // Gone: no longer one of the members sends are written to directly.
        if (wasDetached)
        {
            Interlocked.Decrement(ref _detached);
        }

        if (member.KnownToRedis)
        {
            // RedisHubLifetimeManager forgets the connection before it unsubscribes, so a failure here leaks nothing.
            await TryRedisAsync(() => _redis.OnDisconnectedAsync(connection), "disconnect");
        }
    }

    public override async Task AddToGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default)
    {
        if (!_members.TryGetValue(connectionId, out var member))
        {
            // Another server's connection: only Redis can reach it.
            await TryRedisAsync(() => _redis.AddToGroupAsync(connectionId, groupName, cancellationToken), "join");
            return;
        }

        await _local.AddToGroupAsync(connectionId, groupName, cancellationToken);
        lock (member)
        {
            member.Groups.Add(groupName);
            member.GroupsVersion++;
        }

        if (member.Attached && !await TryRedisAsync(() => _redis.AddToGroupAsync(connectionId, groupName, cancellationToken), "join"))
        {
            SetAttached(member, false);
        }
    }

    public override async Task RemoveFromGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default)
    {
        if (!_members.TryGetValue(connectionId, out var member))
        {
            await TryRedisAsync(() => _redis.RemoveFromGroupAsync(connectionId, groupName, cancellationToken), "leave");
            return;
        }

        await _local.RemoveFromGroupAsync(connectionId, groupName, cancellationToken);
        lock (member)
        {
            member.Groups.Remove(groupName);
            member.GroupsVersion++;
        }

        if (member.Attached)
        {
            await TryRedisAsync(() => _redis.RemoveFromGroupAsync(connectionId, groupName, cancellationToken), "leave");
        }
    }

    public override Task SendAllAsync(string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        SendAsync(() => _redis.SendAllAsync(methodName, args, cancellationToken), () => _local.SendAllAsync(methodName, args, cancellationToken), _ => true, methodName, args);

    public override Task SendAllExceptAsync(string methodName, object?[] args, IReadOnlyList<string> excludedConnectionIds, CancellationToken cancellationToken = default) =>
        SendAsync(() => _redis.SendAllExceptAsync(methodName, args, excludedConnectionIds, cancellationToken), () => _local.SendAllExceptAsync(methodName, args, excludedConnectionIds, cancellationToken), member => !excludedConnectionIds.Contains(member.Connection.ConnectionId), methodName, args);

    public override Task SendGroupAsync(string groupName, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        SendAsync(() => _redis.SendGroupAsync(groupName, methodName, args, cancellationToken), () => _local.SendGroupAsync(groupName, methodName, args, cancellationToken), member => member.IsIn(groupName), methodName, args);

    public override Task SendGroupsAsync(IReadOnlyList<string> groupNames, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        SendAsync(() => _redis.SendGroupsAsync(groupNames, methodName, args, cancellationToken), () => _local.SendGroupsAsync(groupNames, methodName, args, cancellationToken), member => groupNames.Any(member.IsIn), methodName, args);

    public override Task SendGroupExceptAsync(string groupName, string methodName, object?[] args, IReadOnlyList<string> excludedConnectionIds, CancellationToken cancellationToken = default) =>
        SendAsync(() => _redis.SendGroupExceptAsync(groupName, methodName, args, excludedConnectionIds, cancellationToken), () => _local.SendGroupExceptAsync(groupName, methodName, args, excludedConnectionIds, cancellationToken), member => member.IsIn(groupName) && !excludedConnectionIds.Contains(member.Connection.ConnectionId), methodName, args);

    public override Task SendUserAsync(string userId, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        SendAsync(() => _redis.SendUserAsync(userId, methodName, args, cancellationToken), () => _local.SendUserAsync(userId, methodName, args, cancellationToken), member => member.Connection.UserIdentifier == userId, methodName, args);

    public override Task SendUsersAsync(IReadOnlyList<string> userIds, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        SendAsync(() => _redis.SendUsersAsync(userIds, methodName, args, cancellationToken), () => _local.SendUsersAsync(userIds, methodName, args, cancellationToken), member => member.Connection.UserIdentifier is { } user && userIds.Contains(user), methodName, args);

    public override Task SendConnectionAsync(string connectionId, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        _members.ContainsKey(connectionId)
            ? _local.SendConnectionAsync(connectionId, methodName, args, cancellationToken)
            : SendAsync(() => _redis.SendConnectionAsync(connectionId, methodName, args, cancellationToken), () => Task.CompletedTask, _ => false, methodName, args);

    public override Task SendConnectionsAsync(IReadOnlyList<string> connectionIds, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        SendAsync(() => _redis.SendConnectionsAsync(connectionIds, methodName, args, cancellationToken), () => _local.SendConnectionsAsync(connectionIds, methodName, args, cancellationToken), member => connectionIds.Contains(member.Connection.ConnectionId), methodName, args);

    public override Task<T> InvokeConnectionAsync<T>(string connectionId, string methodName, object?[] args, CancellationToken cancellationToken) =>
        _members.ContainsKey(connectionId)
            ? _local.InvokeConnectionAsync<T>(connectionId, methodName, args, cancellationToken)
            : _redis.InvokeConnectionAsync<T>(connectionId, methodName, args, cancellationToken);

    public override Task SetConnectionResultAsync(string connectionId, CompletionMessage result) =>
        _members.ContainsKey(connectionId)
            ? _local.SetConnectionResultAsync(connectionId, result)
            : _redis.SetConnectionResultAsync(connectionId, result);

    public override bool TryGetReturnType(string invocationId, [NotNullWhen(true)] out Type? type) =>
        _local.TryGetReturnType(invocationId, out type) || _redis.TryGetReturnType(invocationId, out type);

    public void Dispose()
    {
        try
        {
            _redis.Dispose();
        }
        catch (ObjectDisposedException)
        {
            // The shared Redis connection went first at shutdown; the subscriptions went with it.
        }
    }

    /// <summary>
    /// Through Redis while it is up, then straight to the local clients that match
    /// <paramref name="detachedMatch"/> but are not in Redis yet (connected during an outage, joining
    /// now); through the local manager alone when Redis is down or the send through it fails. A send
    /// reported failed that Redis did carry reaches local clients twice: harmless for the idempotent
    /// control messages this serves.
    /// </summary>
    private async Task SendAsync(Func<Task> throughRedis, Func<Task> locally, Func<Member, bool> detachedMatch, string methodName, object?[] args)
    {
        if (!_connection.IsConnected || !await TryRedisAsync(throughRedis, "send"))
        {
            await locally();
            return;
        }

        if (Volatile.Read(ref _detached) == 0)
        {
            return;
        }

        var message = new InvocationMessage(methodName, args);
        foreach (var member in _members.Values)
        {
            if (!member.Attached && detachedMatch(member))
            {
                try
                {
                    await member.Connection.WriteAsync(message);
                }
#pragma warning disable CA1031 // A failed write aborts that connection; the others still get theirs.
                catch (Exception)
#pragma warning restore CA1031
                {
                }
            }
        }
    }

    private async Task TryAttachAsync(Member member)
    {
        // One attempt per member at a time: a reconnect can race the connect that is attaching it.
        if (!_connection.IsConnected || Interlocked.Exchange(ref member.Attaching, 1) == 1)
        {
            return;
        }

        try
        {
            if (!member.KnownToRedis)
            {
                member.KnownToRedis = await TryRedisAsync(() => _redis.OnConnectedAsync(member.Connection), "connect");
                if (!member.KnownToRedis)
                {
                    return;
                }
            }

            // Joining is idempotent in Redis; repeat until no join came in meanwhile.
            while (true)
            {
                string[] groups;
                int version;
                lock (member)
                {
                    groups = [.. member.Groups];
                    version = member.GroupsVersion;
                }

                foreach (var group in groups)
                {
                    if (!await TryRedisAsync(() => _redis.AddToGroupAsync(member.Connection.ConnectionId, group), "join"))
                    {
                        return;
                    }
                }

                lock (member)
                {
                    if (version != member.GroupsVersion)
                    {
                        continue;
                    }
                }

                SetAttached(member, true);
                return;
            }
        }
        finally
        {
            Volatile.Write(ref member.Attaching, 0);
        }
    }

    private void SetAttached(Member member, bool attached)
    {
        lock (member)
        {
            if (member.Removed || member.Attached == attached)
            {
                return;
            }

            member.Attached = attached;
        }

        if (attached)
        {
            Interlocked.Decrement(ref _detached);
        }
        else
        {
            Interlocked.Increment(ref _detached);
        }
    }

    private async Task AttachDetachedAsync()
    {
        if (Volatile.Read(ref _detached) == 0)
        {
            return;
        }

        foreach (var member in _members.Values)
        {
            if (!member.Attached)
            {
                await TryAttachAsync(member);
            }
        }
    }

    private async Task<bool> TryRedisAsync(Func<Task> operation, string what)
    {
        if (!_connection.IsConnected)
        {
            return false;
        }

        try
        {
            await operation().WaitAsync(_connection.Options.CommandTimeout);
            return true;
        }
        catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException or InvalidOperationException)
        {
            Log.RedisFailed(_logger, what, ex);
            return false;
        }
    }

    private sealed class Member(HubConnectionContext connection)
    {
        public HubConnectionContext Connection { get; } = connection;

        public List<string> Groups { get; } = new(1);

        public int GroupsVersion { get; set; }

        public bool IsIn(string group)
        {
            lock (this)
            {
                return Groups.Contains(group);
            }
        }

        /// <summary>1 while an attempt to attach the member to Redis runs.</summary>
        public int Attaching;

        /// <summary>Whether the connection has gone; guarded by a lock on the member.</summary>
        public bool Removed;

        /// <summary>Whether the Redis lifetime manager has this connection (its groups may still be missing).</summary>
        public volatile bool KnownToRedis;

        /// <summary>Whether the connection and all its groups are in Redis; guarded by a lock on the member.</summary>
        public volatile bool Attached;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.BackplaneFailed, EventName = nameof(EventIds.BackplaneFailed), Level = LogLevel.Warning, Message = "Redis backplane {Operation} failed; serving this server's clients locally.")]
        public static partial void RedisFailed(ILogger logger, string operation, Exception exception);
    }
}
