using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Net.WebSockets;
using Brax.Viewer.Hubs.Diagnostics;
using Brax.Viewer.Hubs.Protocols;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Connections.Features;
using Microsoft.Extensions.Logging;

namespace Brax.Viewer.Hubs.RawShim;

/// <summary>
/// One raw WebSocket as a real hub connection. The socket's messages go into the hub's input pipe
/// as records (see <see cref="RawRecords"/>); what the hub writes goes out through a
/// <see cref="WebSocketMessageWriter"/>. The session owns the socket's whole life: it ends when the
/// client closes or vanishes, or when the hub aborts the connection (for example a stalled viewer).
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "RunAsync disposes the connection when the session ends.")]
internal sealed partial class RawWebSocketSession : IHttpContextFeature, IClosesOnShutdownFeature
{
    private const int DrainChunk = 64 * 1024;
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(5);

    // A client's pong normally comes within a round trip; a frame waits for it, so the wait is
    // short, and a client that answers later keeps writing through Kestrel.
    private static readonly TimeSpan SwitchTimeout = TimeSpan.FromMilliseconds(500);

    private readonly WebSocket _socket;
    private readonly RawSocketStream _stream;
    private readonly RawEndpoint _endpoint;
    private readonly MessageChunks? _received;
    private readonly ILogger _logger;
    private readonly BadInputLog _badInput;
    private readonly ReceivedMessageReader _input = new();
    private readonly WebSocketMessageWriter _output;
    private readonly DefaultConnectionContext _connection;
    private HubDiagnostics? _diagnostics;
    private long _messages;
    private Task? _receiving;

    public RawWebSocketSession(HttpContext http, WebSocket socket, RawSocketStream stream, RawEndpoint endpoint, bool forwardsInput, ILogger logger, BadInputLog badInput)
    {
        HttpContext = http;
        _socket = socket;
        _stream = stream;
        _endpoint = endpoint;
        _received = forwardsInput ? new MessageChunks() : null;
        _logger = logger;
        _badInput = badInput;
        _output = new WebSocketMessageWriter(socket, stream, Abort);
        stream.UnmaskedFrameSeen = () => _ = Task.Run(FailUnmaskedAsync);
        _connection = new DefaultConnectionContext(http.Connection.Id + ":" + http.TraceIdentifier)
        {
            Transport = new DuplexPipe(_input, _output),
            User = http.User,
        };

        // Hubs read the query string (is_streamer, run) through Context.GetHttpContext(), for raw and SignalR alike.
        _connection.Features.Set<IHttpContextFeature>(this);

        // The session closes the socket with 1001 itself when the server stops.
        _connection.Features.Set<IClosesOnShutdownFeature>(this);
    }

    public HttpContext? HttpContext { get; set; }

    /// <summary>
    /// Serves the socket until it ends; when the server stops, closes it with 1001 and waits at most
    /// <paramref name="shutdownCloseTimeout"/> for the client's answer. With a
    /// <paramref name="directSocket"/>, the connection's writes may move onto it (<see cref="RawSocketStream.AllowSocketWrites"/>).
    /// </summary>
    public async Task RunAsync(ConnectionHandler hub, HubDiagnostics diagnostics, KeepAliveSweep keepAlive, Socket? directSocket, TimeSpan shutdownCloseTimeout, CancellationToken serverStopping)
    {
        _diagnostics = diagnostics;
        diagnostics.RawSocketOpened();
        try
        {
            using var keptAlive = keepAlive.Add(_stream, Abort);
            using var onAbort = _connection.ConnectionClosed.Register(static s => ((RawWebSocketSession)s!).Abort(), this);
            using var onStopping = serverStopping.Register(() => _ = CloseAsync(WebSocketCloseStatus.EndpointUnavailable, shutdownCloseTimeout));
            _input.Offer(Handshake());
            var receiving = _receiving = ReceiveAsync();
            if (directSocket is not null)
            {
                _stream.SwitchedToSocket = () => diagnostics.RawSocketWritesDirect(started: true);
                _stream.AllowSocketWrites(directSocket, SwitchTimeout);
            }

            await hub.OnConnectedAsync(_connection);
            if (_output.HandshakeError is { } refusal)
            {
                Log.HubRefused(_logger, _endpoint.Path, refusal);
            }

            await CloseAsync(_output.HandshakeError is null ? WebSocketCloseStatus.NormalClosure : WebSocketCloseStatus.InternalServerError, CloseTimeout);
            await receiving;
        }
        finally
        {
            HttpContext = null;
            if (_stream.WritesToSocket)
            {
                diagnostics.RawSocketWritesDirect(started: false);
            }

            await _connection.DisposeAsync();
            diagnostics.RawSocketClosed();
        }
    }

    // RFC 6455 §5.1: a server fails the connection of a client that sends an unmasked frame. The
    // WebSocket does not check it, and would wait for a mask key that never comes.
    private async Task FailUnmaskedAsync()
    {
        using var timeout = new CancellationTokenSource(CloseTimeout);
        try
        {
            await _socket.CloseOutputAsync(WebSocketCloseStatus.ProtocolError, "client frames must be masked", timeout.Token);
        }
        catch (Exception ex) when (FrameworkContract.IsConnectionGone(ex))
        {
            // Gone already.
        }

        // Not Abort(): a reset could overtake the close frame. The receive loop ends, and with it the request.
        _stream.EndReads();
    }

    // The connection is being torn down: cut the TCP connection, which also fails a send stuck behind
    // a client that stopped reading.
    private void Abort()
    {
        _socket.Abort();
        HttpContext?.Abort();
    }

    // The hub connection starts with a SignalR handshake naming the raw protocol; the client never sees it.
    // The reader adds the record separator.
    private byte[] Handshake() => System.Text.Encoding.UTF8.GetBytes($"{{\"protocol\":\"{_endpoint.ProtocolName}\",\"version\":1}}");

    private async Task ReceiveAsync()
    {
        try
        {
            while (true)
            {
                // Wait for the next message without a buffer, so an idle socket holds no receive memory.
                var first = await _socket.ReceiveAsync(Memory<byte>.Empty, CancellationToken.None);
                if (first.MessageType == WebSocketMessageType.Close || !await ReceiveMessageAsync(first))
                {
                    break;
                }
            }
        }
        catch (Exception ex) when (FrameworkContract.IsConnectionGone(ex))
        {
            // The client vanished without a close handshake, or the hub aborted the connection.
            Log.SocketEnded(_logger, _endpoint.Path, ex);
        }
        finally
        {
            // Ends the hub connection: the hub sees its input complete and runs OnDisconnectedAsync.
            _input.CompleteWriting();
        }
    }

    /// <summary>
    /// Receives one message and hands it on; false when the socket or the hub has gone. Only a text
    /// message from a client whose input is forwarded is kept, and only while it stays within the
    /// limit: it is kept in chunks as it arrives (<see cref="MessageChunks"/>), and once its announced
    /// or received size passes the limit they are given back and the rest is read through one chunk
    /// and dropped. An unfragmented message over the limit is known from its frame header
    /// (<see cref="InboundFrameHeaders"/>), so none of it is kept; a fragmented one only as its
    /// fragments arrive, so at most the limit of it is.
    /// </summary>
    private async Task<bool> ReceiveMessageAsync(ValueWebSocketReceiveResult first)
    {
        var limit = _endpoint.MaxMessageBytes;
        var message = ++_messages;
        var received = _received;
        var keep = received is not null && first.MessageType == WebSocketMessageType.Text;
        byte[]? drain = null;
        try
        {
            long total = 0;
            var result = first;
            while (!result.EndOfMessage)
            {
                if (keep && Math.Max(_stream.AnnouncedBytes(message), total) > limit)
                {
                    keep = false;
                    received!.Clear();
                }

                Memory<byte> target;
                var intoReceived = keep && received!.Length < limit;
                if (intoReceived)
                {
                    target = received!.GetMemory(limit - received.Length);
                }
                else
                {
                    // Past the limit, at it, or from a client whose input is ignored: read through one chunk.
                    drain ??= ArrayPool<byte>.Shared.Rent(DrainChunk);
                    target = drain.AsMemory(0, DrainChunk);
                }

                result = await _socket.ReceiveAsync(target, CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return false;
                }

                total += result.Count;
                if (intoReceived)
                {
                    received!.Advance(result.Count);
                }
            }

            if (received is null)
            {
                return true;
            }

            var tooLarge = total > limit || _stream.AnnouncedBytes(message) > limit;
            (BadInputReason Kind, string Text)? problem = result.MessageType == WebSocketMessageType.Binary ? (BadInputReason.Binary, "binary messages are not part of the protocol")
                : tooLarge ? (BadInputReason.TooLarge, $"larger than the {limit}-byte limit")
                : received.Contains(RawRecords.Separator) ? (BadInputReason.RecordSeparator, "text holds a 0x1E byte, which JSON never does")
                : null;
            if (problem is { } bad)
            {
                if (tooLarge)
                {
                    _diagnostics?.Refused(RefusalReason.MessageTooLarge);
                }

                _badInput.Report(_endpoint.Path, total, bad.Kind, bad.Text);
                return true;
            }

            // One copy into an array of the message's own size, handed to the hub: a valid frame keeps it.
            return await _input.WriteMessageAsync(received.ToArray());
        }
        finally
        {
            received?.Clear();
            if (drain is not null)
            {
                ArrayPool<byte>.Shared.Return(drain);
            }
        }
    }

    /// <summary>Sends a close frame; a client that does not answer within the close timeout is cut off.</summary>
    private async Task CloseAsync(WebSocketCloseStatus status, TimeSpan timeoutAfter)
    {
        if (_socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived))
        {
            return;
        }

        using var timeout = new CancellationTokenSource(timeoutAfter);
        try
        {
            await _socket.CloseOutputAsync(status, null, timeout.Token);
            if (_socket.State == WebSocketState.CloseSent && _receiving is { } receiving)
            {
                // The receive loop reads the client's answering close frame.
                await receiving.WaitAsync(timeout.Token);
            }
        }
        catch (Exception ex) when (FrameworkContract.IsConnectionGone(ex))
        {
            // Cut the TCP connection, not just the socket object: a read still pending on a client
            // that never answers would otherwise keep the request, and the server's shutdown, waiting.
            Abort();
        }
    }

    private static partial class Log
    {
        // Debug, and cheap when off: the generated method checks the level before it formats anything.
        [LoggerMessage(EventId = EventIds.SocketEnded, EventName = nameof(EventIds.SocketEnded), Level = LogLevel.Debug, Message = "Raw socket on {Path} ended without a close handshake.")]
        public static partial void SocketEnded(ILogger logger, string path, Exception exception);

        [LoggerMessage(EventId = EventIds.HubRefused, EventName = nameof(EventIds.HubRefused), Level = LogLevel.Error, Message = "The hub refused a raw connection on {Path}: {Response}")]
        public static partial void HubRefused(ILogger logger, string path, string response);
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
