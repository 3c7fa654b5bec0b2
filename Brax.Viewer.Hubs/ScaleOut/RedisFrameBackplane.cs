using System.Buffers.Binary;
using System.Text;
using Brax.Viewer.Client;
using Brax.Viewer.Hubs.Diagnostics;
using Brax.Viewer.Hubs.Fanout;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Brax.Viewer.Hubs.ScaleOut;

/// <summary>
/// Frames between instances over one Redis pub/sub channel. SignalR's Redis lifetime manager is not
/// used for frames: it delivers a server's group messages one at a time and waits for every write,
/// so one stalled viewer would hold up every viewer on that server. Here each instance publishes a
/// frame once (its UTF-8 JSON, the group and the publishing instance), and every other instance
/// offers it to its own viewers through the same non-blocking mailboxes as local frames.
/// </summary>
/// <remarks>
/// Message: <c>[version:1][origin:16][group length:2, big endian][group UTF-8][frame UTF-8 JSON]</c>.
/// The subscription is read by one <see cref="ChannelMessageQueue"/> loop, which keeps frames in the
/// order they were published; handling a message never waits on a viewer.
/// </remarks>
internal sealed partial class RedisFrameBackplane : IFrameSink, IHostedService, IDisposable
{
    private const byte Version = 1;
    private const int HeaderBytes = 1 + 16 + 2;
    private static readonly RedisChannel Channel = RedisChannel.Literal("frames");

    private readonly RedisConnection _redis;
    private readonly ViewerGroups _viewers;
    private readonly ILogger<RedisFrameBackplane> _logger;
    private readonly LogThrottle _publishFailures;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Guid _origin = Guid.NewGuid();
    private readonly HubDiagnostics _diagnostics;
    private readonly long _maxInFlightBytes;
    private volatile ISubscriber? _subscriber;
    private long _inFlightBytes;

    public RedisFrameBackplane(RedisConnection redis, ViewerGroups viewers, HubDiagnostics diagnostics, ILogger<RedisFrameBackplane> logger, TimeProvider time)
    {
        // A publish fails for every frame while Redis struggles: one report per window says so.
        _publishFailures = new(perWindow: 1, time: time);
        _redis = redis;
        _diagnostics = diagnostics;
        _maxInFlightBytes = redis.Options.MaxPublishBacklogBytes;
        _viewers = viewers;
        _logger = logger;
    }

    /// <summary>Whether this instance is subscribed and its subscription's link is up: it receives other instances' frames.</summary>
    public bool IsSubscribed => _subscriber is { } subscriber && subscriber.IsConnected(Channel);

    public void Publish(string group, Frame frame)
    {
        // While Redis is down frames are only served locally: a frame queued for later would arrive stale.
        if (_subscriber is not { } subscriber || !_redis.IsConnected)
        {
            return;
        }

        // Redis is treated like a slow viewer: when it falls behind, frames for the other instances
        // are skipped instead of piling up in this process (they get the newest ones after).
        var size = frame.Utf8Json.Length;
        var inFlight = Interlocked.Read(ref _inFlightBytes);
        if (inFlight > 0 && inFlight + size > _maxInFlightBytes)
        {
            _diagnostics.FrameSkipped();
            return;
        }

        var message = Encode(group, frame.Utf8Json.Span);
        Interlocked.Add(ref _inFlightBytes, message.Length);
        _ = PublishAsync(subscriber, message);
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = SubscribeAsync(_stopping.Token);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping.Cancel();
        return Task.CompletedTask;
    }

    public void Dispose() => _stopping.Dispose();

    private async Task SubscribeAsync(CancellationToken stopping)
    {
        var multiplexer = await _redis.ConnectAsync();
        var subscriber = multiplexer.GetSubscriber();

        // Subscribe once Redis is reachable; from then on StackExchange.Redis resubscribes by itself
        // after every reconnect, and the queue keeps its reader.
        while (!stopping.IsCancellationRequested)
        {
            if (multiplexer.IsConnected)
            {
                try
                {
                    var queue = await subscriber.SubscribeAsync(Channel);
                    queue.OnMessage(Receive);
                    _subscriber = subscriber;
                    return;
                }
                catch (RedisException ex)
                {
                    Log.SubscribeFailed(_logger, ex);
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

    // Never awaited by the streamer: the publish completes (or fails) on its own, and only then
    // releases its share of the in-flight budget.
    private async Task PublishAsync(ISubscriber subscriber, byte[] message)
    {
        try
        {
            await subscriber.PublishAsync(Channel, message);
        }
        catch (Exception ex) when (ex is RedisException or ObjectDisposedException)
        {
            if (_publishFailures.TryEnter(out var suppressed))
            {
                Log.PublishFailed(_logger, suppressed, ex);
            }
        }
        finally
        {
            Interlocked.Add(ref _inFlightBytes, -message.Length);
        }
    }

    private byte[] Encode(string group, ReadOnlySpan<byte> frame)
    {
        var groupBytes = Encoding.UTF8.GetByteCount(group);
        var message = new byte[HeaderBytes + groupBytes + frame.Length];
        message[0] = Version;
        _origin.TryWriteBytes(message.AsSpan(1, 16));
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(17, 2), checked((ushort)groupBytes));
        Encoding.UTF8.GetBytes(group, message.AsSpan(HeaderBytes, groupBytes));
        frame.CopyTo(message.AsSpan(HeaderBytes + groupBytes));
        return message;
    }

    private void Receive(ChannelMessage message)
    {
        try
        {
            var payload = ((ReadOnlyMemory<byte>)message.Message).Span;
            if (payload.Length < HeaderBytes || payload[0] != Version)
            {
                Log.MessageIgnored(_logger, "unknown message format");
                return;
            }

            if (new Guid(payload.Slice(1, 16)) == _origin)
            {
                return; // Our own frame: local viewers were served when it was sent.
            }

            var groupBytes = BinaryPrimitives.ReadUInt16BigEndian(payload.Slice(17, 2));
            if (payload.Length < HeaderBytes + groupBytes)
            {
                Log.MessageIgnored(_logger, "truncated message");
                return;
            }

            var group = Encoding.UTF8.GetString(payload.Slice(HeaderBytes, groupBytes));
            var json = payload[(HeaderBytes + groupBytes)..].ToArray();

            // Redis is shared infrastructure: check what comes out of it as we check what streamers send.
            if (!Frame.TryWrap(json, out var frame, out var error))
            {
                Log.MessageIgnored(_logger, error);
                return;
            }

            _viewers.Offer(group, new SerializedHubMessage(new InvocationMessage(FrameHubContract.ReceiveFrame, [frame])), BacklogTag.Of(frame));
        }
#pragma warning disable CA1031 // One bad message must not end the subscription's read loop.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.MessageFailed(_logger, ex);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.FramePublishFailed, EventName = nameof(EventIds.FramePublishFailed), Level = LogLevel.Warning, Message = "Could not publish a frame to Redis. ({Suppressed} similar failures before this one were not logged.)")]
        public static partial void PublishFailed(ILogger logger, long suppressed, Exception exception);

        [LoggerMessage(EventId = EventIds.FrameSubscribeFailed, EventName = nameof(EventIds.FrameSubscribeFailed), Level = LogLevel.Warning, Message = "Could not subscribe to frames in Redis; retrying.")]
        public static partial void SubscribeFailed(ILogger logger, Exception exception);

        [LoggerMessage(EventId = EventIds.FrameMessageIgnored, EventName = nameof(EventIds.FrameMessageIgnored), Level = LogLevel.Warning, Message = "Ignored a frame message from Redis: {Problem}.")]
        public static partial void MessageIgnored(ILogger logger, string problem);

        [LoggerMessage(EventId = EventIds.FrameMessageFailed, EventName = nameof(EventIds.FrameMessageFailed), Level = LogLevel.Warning, Message = "Ignored a frame message from Redis that could not be handled.")]
        public static partial void MessageFailed(ILogger logger, Exception exception);
    }
}
