using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;

namespace Brax.Viewer.LoadGen.Clients;

/// <summary>
/// Opens WebSockets from a rotation of local loopback addresses (127.0.0.1, 127.0.0.2, …), so tens of
/// thousands of connections to one server port do not run out of ephemeral ports on one source address.
/// </summary>
internal sealed class Connector : IDisposable
{
    private readonly IPAddress[] _sources;
    private readonly HttpMessageInvoker _invoker;
    private int _next = -1;

    public Connector(int sourceAddresses)
    {
        _sources = Enumerable.Range(1, Math.Clamp(sourceAddresses, 1, 250))
            .Select(i => new IPAddress(new byte[] { 127, 0, 0, (byte)i }))
            .ToArray();

        // One handler for every socket: an upgraded connection leaves the pool, so nothing is shared after the handshake.
        _invoker = new HttpMessageInvoker(new SocketsHttpHandler
        {
            UseProxy = false,
            ConnectCallback = ConnectAsync,
            ConnectTimeout = TimeSpan.FromSeconds(30),
        });
    }

    public async Task<ClientWebSocket> ConnectAsync(Uri uri, CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        try
        {
            // The server pings every 15 s and the client answers them; no unsolicited pongs of our own.
            socket.Options.KeepAliveInterval = TimeSpan.Zero;
            var target = uri.Scheme is "http" or "https"
                ? new UriBuilder(uri) { Scheme = uri.Scheme == "https" ? "wss" : "ws" }.Uri
                : uri;
            await socket.ConnectAsync(target, _invoker, cancellationToken);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public void Dispose() => _invoker.Dispose();

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var source = _sources[(int)((uint)Interlocked.Increment(ref _next) % (uint)_sources.Length)];
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            socket.Bind(new IPEndPoint(source, 0));
            var host = IPAddress.TryParse(context.DnsEndPoint.Host, out var address) ? address : IPAddress.Loopback;
            await socket.ConnectAsync(new IPEndPoint(host, context.DnsEndPoint.Port), cancellationToken);
            return new ReadAheadStream(new NetworkStream(socket, ownsSocket: true));
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
