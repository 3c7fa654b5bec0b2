using System.Net.WebSockets;
using Microsoft.AspNetCore.Connections;

namespace Brax.Viewer.Hubs.RawShim;

/// <summary>
/// What the raw shim relies on in ASP.NET Core SignalR and <c>System.Net.WebSockets</c> beyond their
/// documented API, in one place. Each assumption has a test in <c>Brax.Viewer.Tests/RawShim/
/// FrameworkContractTests.cs</c> that names it and fails when a framework update breaks it; read
/// this before updating the framework or changing the shim.
/// </summary>
/// <remarks>
/// <list type="number">
/// <item><description>
/// <b>Control frames are written whole.</b> <see cref="WebSocket"/> (ManagedWebSocket) writes each
/// control frame it sends (close, pong) to its stream in a single <c>WriteAsync</c> call that starts
/// with the frame's first header byte. <see cref="RawSocketStream"/> relies on it to spot the close
/// frame (<see cref="IsCloseFrame"/>) and to let no text message interleave with a control frame.
/// </description></item>
/// <item><description>
/// <b>One message per flush.</b> <c>HubConnectionContext</c> flushes its output after each message it
/// writes, and never writes a second message before that flush. <see cref="WebSocketMessageWriter"/>
/// sends what was written between two flushes as one WebSocket message, without framing of its own.
/// </description></item>
/// <item><description>
/// <b>The handshake answer comes first.</b> The first flush of a hub connection's output is its
/// handshake response, <see cref="HandshakeAccepted"/> when the hub accepted the connection.
/// <see cref="WebSocketMessageWriter"/> keeps it from the client, who never sent a SignalR handshake.
/// </description></item>
/// <item><description>
/// <b>The handshake sets the protocol.</b> <c>HubConnectionContext.Protocol</c> has a non-public
/// setter, which the handshake uses. Tests and the fan-out benchmark build hub connections without a
/// handshake through that setter (<c>Brax.Viewer.Tests/Infrastructure/InMemoryHubConnection.cs</c>);
/// the server never does.
/// </description></item>
/// <item><description>
/// <b>How a vanished connection shows.</b> Reads and writes on a connection whose client has gone, or
/// that the server aborted, fail with one of the exceptions <see cref="IsConnectionGone"/> lists; the
/// shim treats them as the end of the connection, never as an error to report.
/// </description></item>
/// <item><description>
/// <b>A frame's header is read before the receive reports it.</b> <see cref="WebSocket"/> reads every
/// byte of the connection through its stream, and a <c>ReceiveAsync</c>, also with an empty buffer,
/// returns for a data message only after that message's first frame header has come through.
/// <see cref="RawWebSocketSession"/> relies on it to know a message's announced size
/// (<see cref="InboundFrameHeaders"/>) before it reads any payload; without it, a message over the
/// limit would still be refused, but only after up to the limit of it had been buffered.
/// </description></item>
/// <item><description>
/// <b>Kestrel shows a plain connection's socket and leaves an upgraded connection's output alone.</b>
/// On an HTTP/1.1 connection without TLS on Kestrel's socket transport, the request's features hold
/// <c>IConnectionSocketFeature</c> with that connection's own socket, and after the 101 response
/// Kestrel writes nothing of its own to an upgraded connection. <see cref="RawSocketStream"/>
/// relies on both when it moves a viewer's writes onto the socket
/// (<see cref="RawSocketStream.AllowSocketWrites"/>); without the first it never moves, and
/// <c>DirectSocketWriteTests</c> would see garbled frames without the second.
/// </description></item>
/// </list>
/// </remarks>
internal static class FrameworkContract
{
    private const byte OpcodeMask = 0x0F;
    private const byte CloseOpcode = 0x8;

    /// <summary>What a hub writes first when it accepts a connection: an empty JSON object and the record separator.</summary>
    public static ReadOnlySpan<byte> HandshakeAccepted => "{}\u001e"u8;

    /// <summary>Whether one write of the WebSocket's own frames is a close frame (assumption 1).</summary>
    public static bool IsCloseFrame(ReadOnlySpan<byte> write) => !write.IsEmpty && (write[0] & OpcodeMask) == CloseOpcode;

    /// <summary>Whether <paramref name="exception"/> says the connection is gone rather than that something is wrong (assumption 5).</summary>
    public static bool IsConnectionGone(Exception exception) => exception
        is IOException
        or WebSocketException
        or ConnectionAbortedException
        or OperationCanceledException
        or ObjectDisposedException

        // A direct write (RawSocketStream.SwitchToSocketAsync) to a socket reset or shut down.
        or System.Net.Sockets.SocketException

        // A write after Kestrel completed the connection's output pipe.
        or InvalidOperationException;
}
