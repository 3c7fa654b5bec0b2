using System.Buffers;
using System.Buffers.Binary;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Brax.Viewer.Hubs.RawShim;

/// <summary>
/// The upgraded connection under one raw WebSocket. <see cref="System.Net.WebSockets.WebSocket"/>
/// reads through it (messages, close, pongs) and writes its own control frames through it; the
/// shim writes text messages onto it, so a large frame shared by many viewers goes from its one
/// array into each connection's output without a per-socket send buffer in between, and
/// <see cref="KeepAliveSweep"/> pings it, so idle sockets need no timer each. One lock orders
/// every write, so frames never interleave. It follows the headers of the frames the client sends
/// (<see cref="InboundFrameHeaders"/>), so a message's announced size is known before its payload.
/// </summary>
/// <remarks>
/// Writes go through Kestrel's output for the connection, which copies them into its pipe in 4 KiB
/// blocks and sends those from another thread. <see cref="AllowSocketWrites"/> lets a
/// connection's writes move straight onto its TCP socket: a frame becomes one gather send from its
/// shared array. The switch must not let a direct write overtake bytes still in Kestrel's pipe (the
/// 101 response first of all), and a flush through Kestrel completes when the pipe has taken the
/// bytes, not when the socket has. So the switch writes a ping with an unguessable payload through
/// Kestrel and waits, writing nothing through Kestrel meanwhile, for the client's pong to echo it:
/// the client can only have seen the ping once everything before it had left the pipe. A
/// connection whose client does not answer in time, or whose WebSocket writes a control frame
/// while the switch waits, keeps writing through Kestrel.
/// </remarks>
internal sealed class RawSocketStream(Stream upgraded) : Stream
{
    // Up to this size a message's header and payload go out in one write (one copy is cheaper than
    // a second flush); a larger payload goes out from its own array, in one gather send with its
    // header once the connection writes to its socket, else after its header.
    private const int CoalesceLimit = 64 * 1024;
    private const byte FinText = 0x81;
    private static readonly byte[] Ping = [0x89, 0x00];

    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly CancellationTokenSource _endReads = new();
    private readonly InboundFrameHeaders _inbound = new();
    private long _lastHeardAt = Environment.TickCount64;
    private long _pingSentAt;
    private volatile bool _closeSent;

    // Where writes go (see the remarks): Kestrel, or the socket once the switch proved it safe.
    private int _route = (int)WriteRoute.Kestrel;
    private Socket? _socket;
    private TimeSpan _switchTimeout;
    private bool _switchTried;
    private TaskCompletionSource? _switchSettled;
    private GatherSend? _gatherSend;

    private enum WriteRoute
    {
        Kestrel,
        AwaitingPong,
        Socket,
    }

    /// <summary>Whether this connection's writes go straight to its socket (see <see cref="AllowSocketWrites"/>).</summary>
    public bool WritesToSocket => Volatile.Read(ref _route) == (int)WriteRoute.Socket;

    /// <summary>Called once when this connection's writes have moved to its socket.</summary>
    public Action? SwitchedToSocket { get; set; }

    /// <summary>
    /// Lets this connection's writes move from Kestrel onto <paramref name="socket"/>, the
    /// connection's own TCP socket, when the first message over 64 KiB is sent: the messages whose
    /// copy through Kestrel costs most. Small messages gain nothing from it (measured: the same
    /// CPU, sent from the fan-out's thread instead of Kestrel's). That message waits for the
    /// client's pong (see the remarks), at most <paramref name="timeout"/>; without the pong, or
    /// once Kestrel had to take a write meanwhile, writes stay with Kestrel for good. Only for a
    /// plain HTTP/1.1 connection: under TLS or HTTP/2 the socket carries other bytes than the frames.
    /// </summary>
    public void AllowSocketWrites(Socket socket, TimeSpan timeout)
    {
        _socket = socket;
        _switchTimeout = timeout;
    }

    private async ValueTask SwitchToSocketAsync()
    {
        var payload = Random.Shared.NextInt64();
        var settled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_switchTried || _closeSent)
            {
                return;
            }

            _switchTried = true;
            _switchSettled = settled;
            _inbound.ExpectPong(payload);
            Volatile.Write(ref _route, (int)WriteRoute.AwaitingPong);
            var ping = new byte[10];
            ping[0] = 0x89;
            ping[1] = sizeof(long);
            BinaryPrimitives.WriteInt64BigEndian(ping.AsSpan(2), payload);
            await upgraded.WriteAsync(ping).ConfigureAwait(false);
        }
        catch (Exception ex) when (FrameworkContract.IsConnectionGone(ex))
        {
            StayWithKestrel();
            return;
        }
        finally
        {
            _writeLock.Release();
        }

        await Task.WhenAny(settled.Task, Task.Delay(_switchTimeout)).ConfigureAwait(false);
        StayWithKestrel();
    }

    /// <summary>Payload bytes the frame headers of data message <paramref name="message"/> (1 for the first) have announced so far.</summary>
    public long AnnouncedBytes(long message) => _inbound.AnnouncedBytes(message);

    /// <summary>Called once when the client breaks RFC 6455 by sending an unmasked frame (see <see cref="InboundFrameHeaders"/>).</summary>
    public Action? UnmaskedFrameSeen { get; set; }

    /// <summary>Ends reading: a read in progress or to come fails, while writes (a close frame) still go out.</summary>
    public void EndReads() => _endReads.Cancel();

    /// <summary>Sends one complete text message; once a close frame has gone out, messages are dropped.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask SendTextAsync(ReadOnlyMemory<byte> payload)
    {
        if (payload.Length > CoalesceLimit && _socket is not null && !_switchTried)
        {
            await SwitchToSocketAsync().ConfigureAwait(false);
        }
        else if (_route == (int)WriteRoute.AwaitingPong)
        {
            await _switchSettled!.Task.ConfigureAwait(false);
        }

        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_closeSent)
            {
                return;
            }

            if (payload.Length <= CoalesceLimit)
            {
                var message = ArrayPool<byte>.Shared.Rent(payload.Length + 10);
                try
                {
                    var header = WriteHeader(message, payload.Length);
                    payload.Span.CopyTo(message.AsSpan(header));
                    await WriteThroughRouteAsync(message.AsMemory(0, header + payload.Length)).ConfigureAwait(false);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(message);
                }
            }
            else
            {
                var header = ArrayPool<byte>.Shared.Rent(10);
                try
                {
                    var headerLength = WriteHeader(header, payload.Length);
                    if (_route == (int)WriteRoute.Socket && MemoryMarshal.TryGetArray(payload, out var shared))
                    {
                        _gatherSend ??= new GatherSend();
                        await _gatherSend.SendAsync(_socket!, new ArraySegment<byte>(header, 0, headerLength), shared).ConfigureAwait(false);
                    }
                    else
                    {
                        await WriteThroughRouteAsync(header.AsMemory(0, headerLength)).ConfigureAwait(false);
                        await WriteThroughRouteAsync(payload).ConfigureAwait(false);
                    }
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(header);
                }
            }
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>
    /// One keep-alive step, called by the sweep: pings a socket that has been silent for
    /// <paramref name="intervalMs"/>, and reports false for one whose ping went unanswered for
    /// <paramref name="timeoutMs"/>. Anything the client sends counts as an answer.
    /// </summary>
    public bool KeepAlive(long now, long intervalMs, long timeoutMs)
    {
        var pingSentAt = Volatile.Read(ref _pingSentAt);
        var lastHeardAt = Volatile.Read(ref _lastHeardAt);
        if (pingSentAt != 0 && lastHeardAt < pingSentAt)
        {
            return now - pingSentAt < timeoutMs;
        }

        // A socket whose last write is still in flight is skipped this round rather than waited for,
        // and so is one whose switch to its socket is waiting for the pong to a ping just sent.
        if (now - lastHeardAt >= intervalMs && !_closeSent && _route != (int)WriteRoute.AwaitingPong && _writeLock.Wait(0))
        {
            Volatile.Write(ref _pingSentAt, now);
            ValueTask write;
            try
            {
                write = WriteThroughRouteAsync(Ping);
            }
            catch (Exception ex) when (FrameworkContract.IsConnectionGone(ex))
            {
                _writeLock.Release();
                return true;
            }

            if (write.IsCompleted)
            {
                Observe(write);
            }
            else
            {
                _ = ObserveAsync(write);
            }
        }

        return true;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int read;
        if (cancellationToken.CanBeCanceled)
        {
            using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _endReads.Token);
            read = await upgraded.ReadAsync(buffer, either.Token).ConfigureAwait(false);
        }
        else
        {
            read = await upgraded.ReadAsync(buffer, _endReads.Token).ConfigureAwait(false);
        }

        if (read > 0)
        {
            Volatile.Write(ref _lastHeardAt, Environment.TickCount64);
            var wasUnmasked = _inbound.SawUnmaskedFrame;
            _inbound.Observe(buffer.Span[..read]);
            if (!wasUnmasked && _inbound.SawUnmaskedFrame)
            {
                UnmaskedFrameSeen?.Invoke();
            }

            if (_inbound.PongArrived && Interlocked.CompareExchange(ref _route, (int)WriteRoute.Socket, (int)WriteRoute.AwaitingPong) == (int)WriteRoute.AwaitingPong)
            {
                SwitchedToSocket?.Invoke();
                _switchSettled!.TrySetResult();
            }
        }

        return read;
    }

    /// <summary>The WebSocket's own frames (close, pong), each written whole in one call (<see cref="FrameworkContract"/>, assumption 1).</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (FrameworkContract.IsCloseFrame(buffer.Span))
            {
                _closeSent = true;
            }

            // A control frame (a pong, a close) cannot wait for the switch: it goes through Kestrel, which ends the switch.
            await WriteThroughRouteAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task FlushAsync(CancellationToken cancellationToken) => upgraded.FlushAsync(cancellationToken);

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Flush() => upgraded.Flush();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("A raw socket is read asynchronously.");

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("A raw socket is written asynchronously.");

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            upgraded.Dispose();
            _endReads.Dispose();

            // A send still in flight completes first (it fails once Kestrel closes the socket).
            _gatherSend?.Dispose();
        }

        base.Dispose(disposing);
    }

    // Ends a switch still waiting for its pong: writes go on through Kestrel. Called on every write,
    // so the interlocked exchange is only tried in the short wait for the pong.
    private void StayWithKestrel()
    {
        if (Volatile.Read(ref _route) == (int)WriteRoute.AwaitingPong
            && Interlocked.CompareExchange(ref _route, (int)WriteRoute.Kestrel, (int)WriteRoute.AwaitingPong) == (int)WriteRoute.AwaitingPong)
        {
            _switchSettled!.TrySetResult();
        }
    }

    // Called with the write lock held. A write through Kestrel while the switch waits for its pong
    // would not be covered by it, so it ends the switch, unless the pong has just come.
    private ValueTask WriteThroughRouteAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken = default)
    {
        StayWithKestrel();
        return _route == (int)WriteRoute.Socket ? SendToSocketAsync(bytes, cancellationToken) : upgraded.WriteAsync(bytes, cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SendToSocketAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        // Socket.SendAsync sends every byte of a stream socket's buffer before it completes.
        await _socket!.SendAsync(bytes, SocketFlags.None, cancellationToken).ConfigureAwait(false);
    }

    // RFC 6455 §5.2: a final, unmasked text frame (servers never mask) with the shortest length encoding.
    private static int WriteHeader(Span<byte> destination, int payloadLength)
    {
        destination[0] = FinText;
        if (payloadLength < 126)
        {
            destination[1] = (byte)payloadLength;
            return 2;
        }

        if (payloadLength <= ushort.MaxValue)
        {
            destination[1] = 126;
            BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)payloadLength);
            return 4;
        }

        destination[1] = 127;
        BinaryPrimitives.WriteUInt64BigEndian(destination[2..], (ulong)payloadLength);
        return 10;
    }

    private void Observe(ValueTask write)
    {
        try
        {
            write.GetAwaiter().GetResult();
        }
        catch (Exception ex) when (FrameworkContract.IsConnectionGone(ex))
        {
            // The connection is going away; its receive loop sees that and ends the session.
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private async Task ObserveAsync(ValueTask write)
    {
        try
        {
            await write.ConfigureAwait(false);
        }
        catch (Exception ex) when (FrameworkContract.IsConnectionGone(ex))
        {
            // As above.
        }
        finally
        {
            _writeLock.Release();
        }
    }
}
