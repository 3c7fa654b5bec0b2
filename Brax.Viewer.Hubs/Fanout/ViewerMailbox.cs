using Brax.Viewer.Hubs.Diagnostics;
using Microsoft.AspNetCore.SignalR;

namespace Brax.Viewer.Hubs.Fanout;

/// <summary>
/// One viewer's delivery queue: at most one write in flight, and a short, bounded backlog behind it.
/// A viewer that keeps up gets every frame in order, bursts included. A viewer that falls behind by
/// more than <see cref="ViewerOptions.MaxQueuedFramesPerViewer"/> frames or
/// <see cref="ViewerOptions.MaxQueuedBytesPerViewer"/> bytes loses its oldest waiting frames, so it
/// always catches up to the newest one, holds a bounded amount of memory (the backlog only
/// references frames shared with every other viewer), and never slows the streamer or anyone else.
/// </summary>
/// <remarks>
/// The common case, a write that completes synchronously because the connection had room, costs
/// no allocation: the backlog ring is created the first time this viewer falls behind, and only a
/// write that goes asynchronous pays for the continuation that resumes the pump.
/// </remarks>
internal sealed class ViewerMailbox(HubConnectionContext connection, HubDiagnostics diagnostics, int maxQueuedFrames, long maxQueuedBytes)
{
    private readonly Lock _gate = new();
    private (SerializedHubMessage Message, int Size)[]? _backlog;
    private int _head;
    private int _count;
    private long _backlogBytes;
    private bool _writing;
    private long _writeStartedAt;
    private int _evicted;

    /// <summary>The groups this viewer is a member of; guarded by <see cref="ViewerGroups"/>.</summary>
    internal List<string> Groups { get; } = new(1);

    public HubConnectionContext Connection => connection;

    /// <summary>Hands the viewer a message of <paramref name="size"/> bytes.</summary>
    public void Offer(SerializedHubMessage message, int size)
    {
        lock (_gate)
        {
            if (_writing)
            {
                Enqueue(message, size);
                return;
            }

            _writing = true;
        }

        Pump(message);
    }

    /// <summary>Whether the write in flight started more than <paramref name="timeoutMs"/> before <paramref name="now"/>.</summary>
    public bool IsStalled(long now, long timeoutMs)
    {
        var started = Volatile.Read(ref _writeStartedAt);
        return started != 0 && now - started > timeoutMs;
    }

    /// <summary>True the first time only: the viewer is being disconnected and must not be counted again.</summary>
    public bool TryMarkEvicted() => Interlocked.Exchange(ref _evicted, 1) == 0;

    private void Pump(SerializedHubMessage? next)
    {
        while (next is not null)
        {
            Volatile.Write(ref _writeStartedAt, Environment.TickCount64);
            var write = connection.WriteAsync(next);
            if (!write.IsCompleted)
            {
                _ = FinishWriteAsync(write);
                return;
            }

            Observe(write);
            next = TakeNext();
        }
    }

    private async Task FinishWriteAsync(ValueTask write)
    {
        try
        {
            await write;
        }
        catch (Exception)
        {
            // HubConnectionContext logs a failed write and aborts the connection itself.
        }

        Pump(TakeNext());
    }

    private SerializedHubMessage? TakeNext()
    {
        lock (_gate)
        {
            if (_count == 0)
            {
                _writing = false;
                Volatile.Write(ref _writeStartedAt, 0);
                return null;
            }

            return Dequeue();
        }
    }

    private void Enqueue(SerializedHubMessage message, int size)
    {
        _backlog ??= new (SerializedHubMessage, int)[maxQueuedFrames];

        // Over either bound, the oldest waiting frames give way; the newest always gets in.
        while (_count > 0 && (_count == _backlog.Length || _backlogBytes + size > maxQueuedBytes))
        {
            Dequeue();
            diagnostics.FrameSkipped();
        }

        _backlog[(_head + _count) % _backlog.Length] = (message, size);
        _count++;
        _backlogBytes += size;
    }

    private SerializedHubMessage Dequeue()
    {
        var (message, size) = _backlog![_head];
        _backlog[_head] = default;
        _head = (_head + 1) % _backlog.Length;
        _count--;
        _backlogBytes -= size;
        return message;
    }

    private static void Observe(ValueTask completed)
    {
        try
        {
            completed.GetAwaiter().GetResult();
        }
        catch (Exception)
        {
            // As above: the connection has logged and aborted.
        }
    }
}
