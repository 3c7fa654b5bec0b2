using System.Buffers;
using System.IO.Pipelines;
using System.Net.WebSockets;

namespace Brax.Viewer.Hubs.RawShim;

/// <summary>
/// The output side of a raw connection: what the hub writes between two flushes goes out as one
/// WebSocket text message. The hub connection writes one message per flush, so no framing is
/// needed, and its first flush is the handshake answer, which the client never sees (both are
/// assumptions of <see cref="FrameworkContract"/>). A frame shared by many viewers is handed to each connection as its one shared array
/// (see <see cref="RawSocketStream.SendTextAsync"/> for the copies made from there).
/// A flush completes when the socket has taken the message, which is the backpressure signal the
/// viewer's mailbox waits on.
/// </summary>
internal sealed class WebSocketMessageWriter(WebSocket socket, RawSocketStream stream, Action abortSocket) : PipeWriter
{
    private byte[]? _buffer;
    private int _buffered;
    private bool _handshakeDone;
    private bool _completed;
    private volatile bool _sending;

    /// <summary>The hub's handshake response when it refused the connection, else null.</summary>
    public string? HandshakeError { get; private set; }

    public override void Advance(int bytes) => _buffered += bytes;

    public override Memory<byte> GetMemory(int sizeHint = 0)
    {
        var needed = _buffered + Math.Max(sizeHint, 1);
        if (_buffer is null || _buffer.Length < needed)
        {
            var grown = ArrayPool<byte>.Shared.Rent(Math.Max(needed, 256));
            if (_buffer is not null)
            {
                _buffer.AsSpan(0, _buffered).CopyTo(grown);
                ArrayPool<byte>.Shared.Return(_buffer);
            }

            _buffer = grown;
        }

        return _buffer.AsMemory(_buffered);
    }

    public override Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) =>
        _buffered == 0 ? new ValueTask<FlushResult>(new FlushResult(false, _completed)) : SendAsync(_buffer.AsMemory(0, _buffered), buffered: true);

    public override ValueTask<FlushResult> WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default)
    {
        if (_buffered != 0)
        {
            this.Write(source.Span);
            return FlushAsync(cancellationToken);
        }

        return source.IsEmpty ? new ValueTask<FlushResult>(new FlushResult(false, _completed)) : SendAsync(source, buffered: false);
    }

    /// <summary>
    /// The hub connection cancels a pending flush when it aborts (a stalled viewer, a failed write).
    /// A WebSocket send cannot be cancelled short of aborting the socket, and the hub cannot finish
    /// closing until the send returns, so a send still in flight takes the socket down with it.
    /// </summary>
    public override void CancelPendingFlush()
    {
        if (_sending)
        {
            abortSocket();
        }
    }

    public override void Complete(Exception? exception = null)
    {
        _completed = true;
        if (!_sending)
        {
            ReleaseBuffer();
        }
    }

    private ValueTask<FlushResult> SendAsync(ReadOnlyMemory<byte> message, bool buffered)
    {
        if (!_handshakeDone)
        {
            _handshakeDone = true;
            if (!message.Span.SequenceEqual(FrameworkContract.HandshakeAccepted))
            {
                HandshakeError = System.Text.Encoding.UTF8.GetString(message.Span).TrimEnd('\u001e');
            }

            Sent(buffered);
            return new ValueTask<FlushResult>(new FlushResult(false, _completed));
        }

        // Once the close handshake has begun, output has nowhere to go: it is dropped, not an error.
        if (socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived))
        {
            Sent(buffered);
            return new ValueTask<FlushResult>(new FlushResult(false, _completed));
        }

        _sending = true;
        var send = stream.SendTextAsync(message);
        if (!send.IsCompletedSuccessfully)
        {
            return AwaitSendAsync(send, buffered);
        }

        Sent(buffered);
        return new ValueTask<FlushResult>(new FlushResult(false, _completed));
    }

    private async ValueTask<FlushResult> AwaitSendAsync(ValueTask send, bool buffered)
    {
        try
        {
            await send;
        }
        catch (Exception ex) when (FrameworkContract.IsConnectionGone(ex))
        {
            // The connection went away while the message was on its way: the client is gone and the
            // receive loop ends the session; there is nobody to report to.
            abortSocket();
        }
        finally
        {
            Sent(buffered);
        }

        return new FlushResult(false, _completed);
    }

    private void Sent(bool buffered)
    {
        _sending = false;
        if (buffered || _completed)
        {
            _buffered = 0;
            ReleaseBuffer();
        }
    }

    // Nothing is held between messages: an idle connection costs no output buffer.
    private void ReleaseBuffer()
    {
        if (_buffer is { } buffer)
        {
            _buffer = null;
            _buffered = 0;
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
