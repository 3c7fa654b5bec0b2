using Brax.Viewer.Hubs.Diagnostics;
using Brax.Viewer.Hubs.Hubs;
using Brax.Viewer.Hubs.ScaleOut;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Brax.Viewer.Hubs.Fanout;

/// <summary>
/// Membership and delivery for <see cref="FrameHub"/>. Group sends are frames: each member gets the
/// newest one through its <see cref="ViewerMailbox"/>, and the send returns at once instead of
/// waiting for the slowest viewer (SignalR's default manager waits for every write and queues
/// behind a full pipe without bound). The frame is serialised once per protocol for all viewers.
/// Sends to single connections, users or everyone keep SignalR's default behaviour. Group sends
/// also go to the <see cref="IFrameBackplane"/>, which reaches viewers on other instances.
/// </summary>
internal sealed class FrameHubLifetimeManager(ViewerGroups viewers, HubDiagnostics diagnostics, IOptions<ViewerOptions> options, IFrameBackplane backplane, ILogger<DefaultHubLifetimeManager<FrameHub>> logger)
    : HubLifetimeManager<FrameHub>
{
    private readonly DefaultHubLifetimeManager<FrameHub> _inner = new(logger);
    private readonly HubConnectionStore _connections = new();

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
            viewers.LeaveAll(mailbox);
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
                mailbox = new ViewerMailbox(connection, diagnostics, options.Value.MaxQueuedFramesPerViewer, options.Value.MaxQueuedBytesPerViewer);
                connection.Features.Set(mailbox);
            }

            viewers.Join(groupName, mailbox);
        }

        return Task.CompletedTask;
    }

    public override Task RemoveFromGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default)
    {
        if (_connections[connectionId]?.Features.Get<ViewerMailbox>() is { } mailbox)
        {
            viewers.Leave(groupName, mailbox);
        }

        return Task.CompletedTask;
    }

    public override Task SendGroupAsync(string groupName, string methodName, object?[] args, CancellationToken cancellationToken = default)
    {
        viewers.Offer(groupName, Serialize(methodName, args), BacklogTag.Of(args));
        backplane.Publish(groupName, methodName, args);
        return Task.CompletedTask;
    }

    public override Task SendGroupsAsync(IReadOnlyList<string> groupNames, string methodName, object?[] args, CancellationToken cancellationToken = default)
    {
        var message = Serialize(methodName, args);
        foreach (var group in groupNames)
        {
            viewers.Offer(group, message, BacklogTag.Of(args));
            backplane.Publish(group, methodName, args);
        }

        return Task.CompletedTask;
    }

    public override Task SendGroupExceptAsync(string groupName, string methodName, object?[] args, IReadOnlyList<string> excludedConnectionIds, CancellationToken cancellationToken = default)
    {
        viewers.Offer(groupName, Serialize(methodName, args), BacklogTag.Of(args), excludedConnectionIds);

        // Excluded connections are this server's: other instances serve the whole group.
        backplane.Publish(groupName, methodName, args);
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

    public override bool TryGetReturnType(string invocationId, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Type? type) =>
        _inner.TryGetReturnType(invocationId, out type);

    private static SerializedHubMessage Serialize(string methodName, object?[] args) =>
        new(new InvocationMessage(methodName, args));
}
