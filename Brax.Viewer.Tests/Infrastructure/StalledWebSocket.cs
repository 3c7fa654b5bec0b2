using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Brax.Viewer.Tests.Infrastructure;

/// <summary>
/// A WebSocket client that completes the opening handshake and then never reads again, with a tiny
/// receive buffer: the viewer that stopped reading (a frozen tab, a suspended laptop). It also lets
/// tests read raw frames, to see the server's pings.
/// </summary>
public sealed class StalledWebSocket : IDisposable
{
    private StalledWebSocket(Socket socket) => Socket = socket;

    public Socket Socket { get; }

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA5350", Justification = "RFC 6455 fixes SHA-1 for the handshake.")]
    public static async Task<StalledWebSocket> ConnectAsync(Uri uri)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        await socket.ConnectAsync(uri.Host, uri.Port);
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        var request = $"GET {uri.PathAndQuery} HTTP/1.1\r\nHost: {uri.Host}:{uri.Port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n";
        await socket.SendAsync(Encoding.ASCII.GetBytes(request));

        // Read the 101 response byte by byte, so nothing after the headers is consumed.
        var headers = new StringBuilder();
        var one = new byte[1];
        while (!headers.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await socket.ReceiveAsync(one) == 0)
            {
                throw new IOException("closed during the handshake: " + headers);
            }

            headers.Append((char)one[0]);
        }

        if (!headers.ToString().StartsWith("HTTP/1.1 101", StringComparison.Ordinal))
        {
            throw new IOException("upgrade refused: " + headers);
        }

        // RFC 6455 §4.1: the client must fail a connection whose accept key is not the hash of its own key.
        var accept = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")));
        if (!headers.ToString().Contains("Sec-WebSocket-Accept: " + accept + "\r\n", StringComparison.OrdinalIgnoreCase))
        {
            throw new IOException("wrong Sec-WebSocket-Accept: " + headers);
        }

        return new StalledWebSocket(socket);
    }

    /// <summary>Reads one WebSocket frame header and payload: (opcode, payload).</summary>
    public async Task<(int Opcode, byte[] Payload)> ReadFrameAsync(CancellationToken cancellationToken)
    {
        var header = await ReadExactlyAsync(2, cancellationToken);
        long length = header[1] & 0x7F;
        if (length == 126)
        {
            var extended = await ReadExactlyAsync(2, cancellationToken);
            length = (extended[0] << 8) | extended[1];
        }
        else if (length == 127)
        {
            var extended = await ReadExactlyAsync(8, cancellationToken);
            length = (long)System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(extended);
        }

        return (header[0] & 0x0F, await ReadExactlyAsync((int)length, cancellationToken));
    }

    /// <summary>
    /// Reads frames up to the next one that is not a ping, which the server may send between any two
    /// (a keep-alive, or the ping before a viewer's writes move to its socket); this client never answers them.
    /// </summary>
    public async Task<(int Opcode, byte[] Payload)> ReadFrameSkippingPingsAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var frame = await ReadFrameAsync(cancellationToken);
            if (frame.Opcode != 0x9)
            {
                return frame;
            }
        }
    }

    /// <summary>Sends one masked text frame, as a client must.</summary>
    public async Task SendTextAsync(string text)
    {
        var payload = Encoding.UTF8.GetBytes(text);
        var frame = new List<byte> { 0x81 };
        if (payload.Length < 126)
        {
            frame.Add((byte)(0x80 | payload.Length));
        }
        else
        {
            frame.Add(0x80 | 126);
            frame.Add((byte)(payload.Length >> 8));
            frame.Add((byte)payload.Length);
        }

        var mask = RandomNumberGenerator.GetBytes(4);
        frame.AddRange(mask);
        frame.AddRange(payload.Select((b, i) => (byte)(b ^ mask[i % 4])));
        await Socket.SendAsync(frame.ToArray());
    }

    public void Dispose() => Socket.Dispose();

    private async Task<byte[]> ReadExactlyAsync(int count, CancellationToken cancellationToken)
    {
        var buffer = new byte[count];
        var read = 0;
        while (read < count)
        {
            var n = await Socket.ReceiveAsync(buffer.AsMemory(read), cancellationToken);
            if (n == 0)
            {
                throw new IOException("connection closed");
            }

            read += n;
        }

        return buffer;
    }
}
