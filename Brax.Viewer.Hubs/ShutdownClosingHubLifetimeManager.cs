using Brax.Viewer.Hubs.Fanout;
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
internal sealed class ShutdownClosingHubLifetimeManager<THub> : DelegatingHubLifetimeManager<THub>
    where THub : Hub
{
    private static readonly CloseMessage ServerStopping = new("The server is shutting down.", allowReconnect: true);

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
        : base(inner)
    {
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
        return base.OnConnectedAsync(connection);
    }

    public override Task OnDisconnectedAsync(HubConnectionContext connection)
    {
        _connections.Remove(connection);
        if (_stopping && !AnyToTell())
        {
            _allClosed.TrySetResult();
        }

        return base.OnDisconnectedAsync(connection);
    }

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
