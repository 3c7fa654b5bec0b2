using System.Buffers;
using System.IO.Pipelines;
using Brax.Viewer.Hubs.Protocols;

namespace Brax.Viewer.Hubs.RawShim;

/// <summary>
/// The hub's input for a raw connection: one received message at a time, handed over as its own
/// array (<see cref="RawRecords.Sequence"/>) instead of being copied into a pipe in 4 KiB segments,
/// scanned for its end and copied out again. The session offers a message and waits until the hub
/// has consumed it, which is the backpressure a pipe's flush gave. A viewer, whose input is never
/// forwarded, holds nothing here but the wait for the end of its socket.
/// </summary>
internal sealed class ReceivedMessageReader : PipeReader
{
    private readonly Lock _gate = new();
    private ReadOnlySequence<byte> _unread = ReadOnlySequence<byte>.Empty;
    private ReadOnlySequence<byte> _lastRead = ReadOnlySequence<byte>.Empty;
    private long _handedOver;
    private bool _examinedAll;
    private bool _writerDone;
    private bool _readerDone;
    private bool _cancelNextRead;
    private TaskCompletionSource? _readable;
    private TaskCompletionSource<bool>? _consumed;

    /// <summary>
    /// Hands <paramref name="message"/> (whole, never touched again by the caller) to the hub and waits
    /// until the hub has consumed it; false once the hub stopped reading.
    /// </summary>
    public async ValueTask<bool> WriteMessageAsync(byte[] message)
    {
        // The handshake, offered before the hub started reading, may still be waiting.
        if (!await ConsumedAsync())
        {
            return false;
        }

        Offer(message);
        return await ConsumedAsync();
    }

    /// <summary>Hands <paramref name="message"/> to the hub without waiting (the handshake, before the hub reads); nothing may be unread.</summary>
    public void Offer(byte[] message)
    {
        lock (_gate)
        {
            if (!_unread.IsEmpty)
            {
                throw new InvalidOperationException("the previous message has not been consumed");
            }

            _unread = RawRecords.Sequence(message, _handedOver);
            _handedOver += message.Length + 1;
            _examinedAll = false;
            Wake();
        }
    }

    /// <summary>No more messages: the hub sees its input complete.</summary>
    public void CompleteWriting()
    {
        lock (_gate)
        {
            _writerDone = true;
            Wake();
        }
    }

    public override bool TryRead(out ReadResult result)
    {
        lock (_gate)
        {
            return TryReadLocked(out result);
        }
    }

    public override async ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            Task readable;
            lock (_gate)
            {
                if (TryReadLocked(out var result))
                {
                    return result;
                }

                _readable ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                readable = _readable.Task;
            }

            await readable.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public override void AdvanceTo(SequencePosition consumed) => AdvanceTo(consumed, consumed);

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
    {
        TaskCompletionSource<bool>? drained = null;
        lock (_gate)
        {
            _examinedAll = examined.Equals(_lastRead.End);
            _unread = _lastRead.Slice(consumed);
            _lastRead = ReadOnlySequence<byte>.Empty;
            if (_unread.IsEmpty)
            {
                (drained, _consumed) = (_consumed, null);
            }
        }

        drained?.TrySetResult(true);
    }

    public override void CancelPendingRead()
    {
        lock (_gate)
        {
            _cancelNextRead = true;
            Wake();
        }
    }

    public override void Complete(Exception? exception = null)
    {
        TaskCompletionSource<bool>? waiting;
        lock (_gate)
        {
            _readerDone = true;
            _unread = _lastRead = ReadOnlySequence<byte>.Empty;
            (waiting, _consumed) = (_consumed, null);
        }

        waiting?.TrySetResult(false);
    }

    private bool TryReadLocked(out ReadResult result)
    {
        ObjectDisposedException.ThrowIf(_readerDone, this);
        if (_cancelNextRead)
        {
            _cancelNextRead = false;
            result = new ReadResult(_lastRead = _unread, isCanceled: true, isCompleted: false);
            return true;
        }

        if ((!_unread.IsEmpty && !_examinedAll) || _writerDone)
        {
            result = new ReadResult(_lastRead = _unread, isCanceled: false, isCompleted: _writerDone);
            return true;
        }

        result = default;
        return false;
    }

    // True once everything handed over has been consumed; false when the hub stopped reading.
    private Task<bool> ConsumedAsync()
    {
        lock (_gate)
        {
            if (_readerDone)
            {
                return Task.FromResult(false);
            }

            if (_unread.IsEmpty)
            {
                return Task.FromResult(true);
            }

            _consumed ??= new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            return _consumed.Task;
        }
    }

    private void Wake()
    {
        var readable = _readable;
        _readable = null;
        readable?.TrySetResult();
    }
}
