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
internal sealed class FanoutHubLifetimeManager<THub> : DelegatingHubLifetimeManager<THub>
    where THub : Hub
{
    private readonly ViewerGroups _viewers;
    private readonly HubDiagnostics _diagnostics;
    private readonly ViewerMetrics _metrics;
    private readonly FanoutOptions _options;
    private readonly IFrameSink[] _sinks;
    private readonly ILatestFrameStore? _sharedLatest;
    private readonly HubConnectionStore _connections = new();

    public FanoutHubLifetimeManager(ViewerGroups viewers, HubDiagnostics diagnostics, ViewerMetrics metrics, IOptions<FanoutOptions> options, IEnumerable<IFrameSink> sinks, ILoggerFactory loggers, ILatestFrameStore? sharedLatest = null)
        : base(new DefaultHubLifetimeManager<THub>(loggers.CreateLogger<DefaultHubLifetimeManager<THub>>()))
    {
        _sharedLatest = sharedLatest;
        _viewers = viewers;
        _diagnostics = diagnostics;
        _metrics = metrics;
        _options = options.Value;
        _sinks = [.. sinks];
    }

    public override Task OnConnectedAsync(HubConnectionContext connection)
    {
        _connections.Add(connection);
        return base.OnConnectedAsync(connection);
    }

    public override Task OnDisconnectedAsync(HubConnectionContext connection)
    {
        _connections.Remove(connection);
        if (connection.Features.Get<ViewerMailbox>() is { } mailbox)
        {
            _viewers.LeaveAll(mailbox);
        }

        return base.OnDisconnectedAsync(connection);
    }

    /// <summary>
    /// Adds a viewer to a group and shows it the newest frame of each environment at once: from this
    /// server's copy, or, when this server has seen none of the group's frames, from the shared store.
    /// </summary>
    public override async Task AddToGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default)
    {
        if (_connections[connectionId] is not { } connection)
        {
            return;
        }

        var mailbox = connection.Features.Get<ViewerMailbox>();
        if (mailbox is null)
        {
            mailbox = new ViewerMailbox(connection, _diagnostics, _metrics, _options.MaxQueuedFramesPerViewer, _options.MaxQueuedBytesPerViewer);
            connection.Features.Set(mailbox);
        }

        if (_viewers.Join(groupName, mailbox) || _sharedLatest is null)
        {
            return;
        }

        var shared = await _sharedLatest.GetAsync(groupName, cancellationToken);
        if (shared.Count > 0)
        {
            _viewers.Prime(groupName, mailbox, shared.Select(frame => (Serialize(FrameHubContract.ReceiveFrame, [frame]), BacklogTag.Of(frame))));
        }
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
