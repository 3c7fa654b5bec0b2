using System.Diagnostics.CodeAnalysis;
using Brax.Viewer.Client;
using Brax.Viewer.Hubs.Diagnostics;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Brax.Viewer.Hubs.Fanout;

/// <summary>
/// Membership and delivery for the frame hub. Group sends are frames: each member gets the newest
/// one through its <see cref="ViewerMailbox"/>, and the send returns at once instead of waiting for
/// the slowest viewer (SignalR's default manager waits for every write and queues behind a full pipe
/// without bound). The frame is serialised once per protocol for all viewers, then handed to every
/// <see cref="IFrameSink"/> (the newest-frame store; other instances when scaled out). Sends to
/// single connections, users or everyone keep SignalR's default behaviour.
/// </summary>
internal sealed class FanoutHubLifetimeManager<THub> : HubLifetimeManager<THub>
    where THub : Hub
{
    private readonly ViewerGroups _viewers;
    private readonly HubDiagnostics _diagnostics;
    private readonly ViewerMetrics _metrics;
    private readonly FanoutOptions _options;
    private readonly IFrameSink[] _sinks;
    private readonly DefaultHubLifetimeManager<THub> _inner;
    private readonly HubConnectionStore _connections = new();

    public FanoutHubLifetimeManager(ViewerGroups viewers, HubDiagnostics diagnostics, ViewerMetrics metrics, IOptions<FanoutOptions> options, IEnumerable<IFrameSink> sinks, ILoggerFactory loggers)
    {
        _viewers = viewers;
        _diagnostics = diagnostics;
        _metrics = metrics;
        _options = options.Value;
        _sinks = [.. sinks];
        _inner = new DefaultHubLifetimeManager<THub>(loggers.CreateLogger<DefaultHubLifetimeManager<THub>>());
    }

    public override Task OnConnectedAsync(HubConnectionContext connection)
    {
        _connections.Add(connection);
        return _inner.OnConnectedAsync(connection);
    }

    public override Task OnDisconnectedAsync(HubConnectionContext connection)
    {
        _connections.Remove(connection);
        if (connection.Features.Get<ViewerMailbox>() is { } mailbox)
        {
            _viewers.LeaveAll(mailbox);
        }

        return _inner.OnDisconnectedAsync(connection);
    }

    public override Task AddToGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default)
    {
        if (_connections[connectionId] is { } connection)
        {
            var mailbox = connection.Features.Get<ViewerMailbox>();
            if (mailbox is null)
            {
                mailbox = new ViewerMailbox(connection, _diagnostics, _metrics, _options.MaxQueuedFramesPerViewer, _options.MaxQueuedBytesPerViewer);
                connection.Features.Set(mailbox);
            }

            _viewers.Join(groupName, mailbox);
        }

        return Task.CompletedTask;
    }

    public override Task RemoveFromGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default)
    {
        if (_connections[connectionId]?.Features.Get<ViewerMailbox>() is { } mailbox)
        {
            _viewers.Leave(groupName, mailbox);
        }

        return Task.CompletedTask;
    }

    public override Task SendGroupAsync(string groupName, string methodName, object?[] args, CancellationToken cancellationToken = default)
    {
        _viewers.Offer(groupName, Serialize(methodName, args), BacklogTag.Of(args));
        Sink(groupName, methodName, args);
        return Task.CompletedTask;
    }

    public override Task SendGroupsAsync(IReadOnlyList<string> groupNames, string methodName, object?[] args, CancellationToken cancellationToken = default)
    {
        var message = Serialize(methodName, args);
        foreach (var group in groupNames)
        {
            _viewers.Offer(group, message, BacklogTag.Of(args));
            Sink(group, methodName, args);
        }

        return Task.CompletedTask;
    }

    public override Task SendGroupExceptAsync(string groupName, string methodName, object?[] args, IReadOnlyList<string> excludedConnectionIds, CancellationToken cancellationToken = default)
    {
        _viewers.Offer(groupName, Serialize(methodName, args), BacklogTag.Of(args), excludedConnectionIds);

        // Excluded connections are this server's: sinks (other instances) serve the whole group.
        Sink(groupName, methodName, args);
        return Task.CompletedTask;
    }

    public override Task SendAllAsync(string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        _inner.SendAllAsync(methodName, args, cancellationToken);

    public override Task SendAllExceptAsync(string methodName, object?[] args, IReadOnlyList<string> excludedConnectionIds, CancellationToken cancellationToken = default) =>
        _inner.SendAllExceptAsync(methodName, args, excludedConnectionIds, cancellationToken);

    public override Task SendConnectionAsync(string connectionId, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        _inner.SendConnectionAsync(connectionId, methodName, args, cancellationToken);

    public override Task SendConnectionsAsync(IReadOnlyList<string> connectionIds, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        _inner.SendConnectionsAsync(connectionIds, methodName, args, cancellationToken);

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

    private static SerializedHubMessage Serialize(string methodName, object?[] args) =>
        new(new InvocationMessage(methodName, args));

    private void Sink(string group, string methodName, object?[] args)
    {
        if (methodName == FrameHubContract.ReceiveFrame && args is [Frame frame])
        {
            foreach (var sink in _sinks)
            {
                sink.Publish(group, frame);
            }
        }
    }
}
