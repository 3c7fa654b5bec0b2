using System.Diagnostics.CodeAnalysis;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Brax.Viewer.Hubs.RawShim;

/// <summary>
/// The server's half of the WebSocket opening handshake (RFC 6455 §4.2.2; RFC 8441 over HTTP/2).
/// The raw endpoints do it themselves instead of calling <c>AcceptWebSocketAsync</c> because the
/// shim needs the upgraded stream under the socket (see <see cref="RawSocketStream"/>). The request
/// has already been checked by <c>HttpContext.WebSockets.IsWebSocketRequest</c>: method, headers,
/// version 13 and a well-formed key. No subprotocol or extension is negotiated, as before.
/// </summary>
internal static class WebSocketUpgrade
{
    private static ReadOnlySpan<byte> KeyGuid => "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"u8;

    /// <summary>Answers the handshake and returns the upgraded connection.</summary>
    public static async Task<RawSocketStream> AcceptAsync(HttpContext http)
    {
        if (http.Features.Get<IHttpExtendedConnectFeature>() is { IsExtendedConnect: true } connect)
        {
            return new RawSocketStream(await connect.AcceptAsync());
        }

        var headers = http.Response.Headers;
        headers.Connection = "Upgrade";
        headers.Upgrade = "websocket";
        headers.SecWebSocketAccept = AcceptKey(http.Request.Headers.SecWebSocketKey.ToString());
        return new RawSocketStream(await http.Features.GetRequiredFeature<IHttpUpgradeFeature>().UpgradeAsync());
    }

    /// <summary>
    /// The TCP socket under an upgraded connection when frames may be written to it directly
    /// (<see cref="RawSocketStream.AllowSocketWrites"/>): a plain HTTP/1.1 connection on Kestrel's
    /// socket transport. Under TLS, HTTP/2 or another transport there is none.
    /// </summary>
    public static Socket? DirectSocket(HttpContext http) =>
        HttpProtocol.IsHttp11(http.Request.Protocol)
        && http.Features.Get<ITlsConnectionFeature>() is null
        && http.Features.Get<ITlsHandshakeFeature>() is null
        && http.Features.Get<IConnectionSocketFeature>() is { Socket: { SocketType: SocketType.Stream } socket }
            ? socket
            : null;

    /// <summary>The <c>Sec-WebSocket-Accept</c> answer to a client's <c>Sec-WebSocket-Key</c>.</summary>
    [SuppressMessage("Security", "CA5350", Justification = "RFC 6455 fixes SHA-1 for the handshake; it protects nothing.")]
    public static string AcceptKey(string key)
    {
        Span<byte> input = stackalloc byte[128];
        var length = Encoding.ASCII.GetBytes(key, input);
        KeyGuid.CopyTo(input[length..]);
        Span<byte> hash = stackalloc byte[SHA1.HashSizeInBytes];
        SHA1.HashData(input[..(length + KeyGuid.Length)], hash);
        return Convert.ToBase64String(hash);
    }
}
