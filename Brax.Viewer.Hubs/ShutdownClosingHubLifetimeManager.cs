using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Hosting;

namespace Brax.Viewer.Hubs;

/// <summary>
/// Tells every SignalR client of a hub, when the server begins to stop, that it is going away and
/// may reconnect (a SignalR close message), then ends its connection. Without it the host tears
/// the transports down and SignalR clients see a broken connection (1006) with no reason. Raw
/// connections have no close message in their protocol: the shim closes them with 1001 itself.
/// Everything else is the inner lifetime manager's.
/// </summary>
internal sealed class ShutdownClosingHubLifetimeManager<THub> : HubLifetimeManager<THub>
    where THub : Hub
{
    private static readonly CloseMessage ServerStopping = new("The server is shutting down.", allowReconnect: true);

    private readonly HubLifetimeManager<THub> _inner;
    private readonly TimeSpan _closeTimeout;
    private readonly HubConnectionStore _connections = new();
    private readonly TaskCompletionSource _allClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly IHostApplicationLifetime _lifetime;
    private volatile bool _stopping;
    private int _watching;

    /// <param name="inner">The manager that does the work.</param>
    /// <param name="lifetime">Tells when the server begins to stop.</param>
    /// <param name="closeTimeout">How long the stop waits for the clients to be told and gone.</param>
    public ShutdownClosingHubLifetimeManager(HubLifetimeManager<THub> inner, IHostApplicationLifetime lifetime, TimeSpan closeTimeout)
    {
        _inner = inner;
        _lifetime = lifetime;
        _closeTimeout = closeTimeout;
    }

    public override Task OnConnectedAsync(HubConnectionContext connection)
    {
        // SignalR's connection manager tears every transport down when the server begins to stop,
        // and it exists once a connection has come through it. Stopping callbacks run newest first,
        // so this one, registered at the first connection, tells the clients before that happens.
        if (Interlocked.Exchange(ref _watching, 1) == 0)
        {
            _lifetime.ApplicationStopping.Register(CloseAll);
        }

        _connections.Add(connection);
        return _inner.OnConnectedAsync(connection);
    }

    public override Task OnDisconnectedAsync(HubConnectionContext connection)
    {
        _connections.Remove(connection);
        if (_stopping && !AnyToTell())
        {
            _allClosed.TrySetResult();
        }

        return _inner.OnDisconnectedAsync(connection);
    }

    public override Task AddToGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default) =>
        _inner.AddToGroupAsync(connectionId, groupName, cancellationToken);

    public override Task RemoveFromGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default) =>
        _inner.RemoveFromGroupAsync(connectionId, groupName, cancellationToken);

    public override Task SendAllAsync(string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        _inner.SendAllAsync(methodName, args, cancellationToken);

    public override Task SendAllExceptAsync(string methodName, object?[] args, IReadOnlyList<string> excludedConnectionIds, CancellationToken cancellationToken = default) =>
        _inner.SendAllExceptAsync(methodName, args, excludedConnectionIds, cancellationToken);

    public override Task SendConnectionAsync(string connectionId, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        _inner.SendConnectionAsync(connectionId, methodName, args, cancellationToken);

    public override Task SendConnectionsAsync(IReadOnlyList<string> connectionIds, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        _inner.SendConnectionsAsync(connectionIds, methodName, args, cancellationToken);

    public override Task SendGroupAsync(string groupName, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        _inner.SendGroupAsync(groupName, methodName, args, cancellationToken);

    public override Task SendGroupsAsync(IReadOnlyList<string> groupNames, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        _inner.SendGroupsAsync(groupNames, methodName, args, cancellationToken);

    public override Task SendGroupExceptAsync(string groupName, string methodName, object?[] args, IReadOnlyList<string> excludedConnectionIds, CancellationToken cancellationToken = default) =>
        _inner.SendGroupExceptAsync(groupName, methodName, args, excludedConnectionIds, cancellationToken);

    public override Task SendUserAsync(string userId, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        _inner.SendUserAsync(userId, methodName, args, cancellationToken);

    public override Task SendUsersAsync(IReadOnlyList<string> userIds, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        _inner.SendUsersAsync(userIds, methodName, args, cancellationToken);

    public override Task<T> InvokeConnectionAsync<T>(string connectionId, string methodName, object?[] args, CancellationToken cancellationToken) =>
        _inner.InvokeConnectionAsync<T>(connectionId, methodName, args, cancellationToken);

    public override Task SetConnectionResultAsync(string connectionId, CompletionMessage result) =>
        _inner.SetConnectionResultAsync(connectionId, result);

    public override bool TryGetReturnType(string invocationId, [NotNullWhen(true)] out Type? type) =>
        _inner.TryGetReturnType(invocationId, out type);

    // Blocks the stop for at most the close timeout: the transports must still be up while the
    // close messages go out, and SignalR tears them down as soon as this returns.
    private void CloseAll()
    {
        _stopping = true;
        if (!AnyToTell())
        {
            return;
        }

        foreach (var connection in _connections)
        {
            if (connection.Features.Get<IClosesOnShutdownFeature>() is null)
            {
                _ = CloseAsync(connection);
            }
        }

        _allClosed.Task.Wait(_closeTimeout);
    }

    private bool AnyToTell()
    {
        foreach (var connection in _connections)
        {
            if (connection.Features.Get<IClosesOnShutdownFeature>() is null)
            {
                return true;
            }
        }

        return false;
    }

    // The close message waits behind a frame being written, so a frame in flight goes out whole; a
    // client that does not take it is cut off by the host's shutdown timeout. A failed write is
    // logged and aborts the connection inside HubConnectionContext; it does not throw.
    private static async Task CloseAsync(HubConnectionContext connection)
    {
        await connection.WriteAsync(ServerStopping);
        connection.Abort();
    }
}
