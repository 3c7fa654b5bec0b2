using Brax.Viewer.Hubs.Diagnostics;
using Microsoft.AspNetCore.SignalR;

namespace Brax.Viewer.Hubs.Fanout;

/// <summary>
/// One viewer's delivery queue: at most one write in flight, and a short, bounded backlog behind it.
/// A viewer that keeps up gets every frame in order, bursts included. A viewer that falls behind by
/// more than <see cref="FanoutOptions.MaxQueuedFramesPerViewer"/> frames or
/// <see cref="FanoutOptions.MaxQueuedBytesPerViewer"/> bytes loses waiting frames, so it always
/// catches up to the newest one, holds a bounded amount of memory (the backlog only references
/// frames shared with every other viewer), and never slows the streamer or anyone else. Frames are
/// dropped per environment of a batched scene: the oldest frame that a newer frame of the same
/// <c>env_id</c> supersedes goes first, so an environment that streams less often is not starved by
/// the others; only when every waiting frame is its environment's newest does the oldest go.
/// </summary>
/// <remarks>
/// The common case, a write that completes synchronously because the connection had room, costs
/// no allocation: the backlog ring is created the first time this viewer falls behind, and only a
/// write that goes asynchronous pays for the continuation that resumes the pump. Each write the
/// connection takes is one delivered frame in <see cref="ViewerMetrics"/>.
/// </remarks>
internal sealed class ViewerMailbox(HubConnectionContext connection, HubDiagnostics diagnostics, ViewerMetrics metrics, int maxQueuedFrames, long maxQueuedBytes)
{
    private readonly Lock _gate = new();
    private (SerializedHubMessage Message, BacklogTag Tag)[]? _backlog;
    private int _head;
    private int _count;
    private long _backlogBytes;
    private bool _writing;
    private long _writeStartedAt;
    private int _evicted;

    /// <summary>The <see cref="FanoutLane"/> that serves this viewer, fixed when it first joins a group (-1 before).</summary>
    internal int Lane { get; set; } = -1;

    /// <summary>The groups this viewer is a member of; guarded by <see cref="ViewerGroups"/>.</summary>
    internal List<string> Groups { get; } = new(1);

    public HubConnectionContext Connection => connection;

    /// <summary>Hands the viewer a message.</summary>
    public void Offer(SerializedHubMessage message, BacklogTag tag)
    {
        SerializedHubMessage next;
        lock (_gate)
        {
            if (_writing)
            {
                Enqueue(message, tag);
                return;
            }

            // Frames primed for a late joiner go first.
            if (_count > 0)
            {
                Enqueue(message, tag);
                next = Dequeue();
            }
            else
            {
                next = message;
            }

            _writing = true;
        }

        Pump(next);
    }

    /// <summary>Whether messages wait to be written.</summary>
    public bool HasBacklog
    {
        get
        {
            lock (_gate)
            {
                return _count > 0;
            }
        }
    }

    /// <summary>
    /// Queues a message ahead of everything offered after it, without starting to write: a viewer
    /// joining a group is primed under the group's lock, and written to once outside it (<see cref="Kick"/>).
    /// </summary>
    public void Prime(SerializedHubMessage message, BacklogTag tag)
    {
        lock (_gate)
        {
            Enqueue(message, tag);
        }
    }

    /// <summary>Starts writing what <see cref="Prime"/> queued, unless a write is under way.</summary>
    public void Kick()
    {
        SerializedHubMessage next;
        lock (_gate)
        {
            if (_writing || _count == 0)
            {
                return;
            }

            _writing = true;
            next = Dequeue();
        }

        Pump(next);
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
                _ = FinishWriteAsync(write, next);
                return;
            }

            if (Succeeded(write))
            {
                Delivered(next);
            }

            next = TakeNext();
        }
    }

    private async Task FinishWriteAsync(ValueTask write, SerializedHubMessage message)
    {
        var succeeded = false;
        try
        {
            await write;
            succeeded = true;
        }
        catch (Exception)
        {
            // HubConnectionContext logs a failed write and aborts the connection itself.
        }

        if (succeeded)
        {
            Delivered(message);
        }

        Pump(TakeNext());
    }

    // The write has serialised the message for this connection's protocol, into the message's cache
    // that every viewer of that protocol shares, so its size is a cache lookup: the frame's own bytes
    // for a raw viewer, the whole SignalR message for a SignalR viewer.
    private void Delivered(SerializedHubMessage message) =>
        metrics.FrameDelivered(message.GetSerializedMessage(connection.Protocol).Length);

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

    private void Enqueue(SerializedHubMessage message, BacklogTag tag)
    {
        _backlog ??= new (SerializedHubMessage, BacklogTag)[maxQueuedFrames];

        // Over either bound, waiting frames give way; the arriving one always gets in.
        while (_count > 0 && (_count == _backlog.Length || _backlogBytes + tag.Size > maxQueuedBytes))
        {
            RemoveAt(SupersededIndex(tag));
            diagnostics.FrameSkipped();
            metrics.FrameSuperseded();
        }

        _backlog[Slot(_count)] = (message, tag);
        _count++;
        _backlogBytes += tag.Size;
    }

    /// <summary>The oldest waiting frame that a newer one (waiting or arriving) of its environment supersedes, else the oldest.</summary>
    private int SupersededIndex(BacklogTag arriving)
    {
        for (var i = 0; i < _count; i++)
        {
            var older = _backlog![Slot(i)].Tag;
            if (arriving.Supersedes(older))
            {
                return i;
            }

            for (var j = i + 1; j < _count; j++)
            {
                if (_backlog[Slot(j)].Tag.Supersedes(older))
                {
                    return i;
                }
            }
        }

        return 0;
    }

    private SerializedHubMessage Dequeue()
    {
        var message = _backlog![_head].Message;
        RemoveAt(0);
        return message;
    }

    private void RemoveAt(int index)
    {
        _backlogBytes -= _backlog![Slot(index)].Tag.Size;
        for (var i = index; i > 0; i--)
        {
            _backlog[Slot(i)] = _backlog[Slot(i - 1)];
        }

        _backlog[_head] = default;
        _head = (_head + 1) % _backlog.Length;
        _count--;
    }

    private int Slot(int index) => (_head + index) % _backlog!.Length;

    private static bool Succeeded(ValueTask completed)
    {
        try
        {
            completed.GetAwaiter().GetResult();
            return true;
        }
        catch (Exception)
        {
            // As above: the connection has logged and aborted.
            return false;
        }
    }
}
