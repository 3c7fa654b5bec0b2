using System.Net.WebSockets;
using System.Text;

namespace Brax.Viewer.Tests.Page.Browser;

/// <summary>A streamer on the raw endpoint, as a training process connects: <c>/ws/frame?is_streamer=true</c>.</summary>
internal sealed class RawStreamer : IDisposable
{
    private readonly ClientWebSocket _socket = new();

    public static async Task<RawStreamer> ConnectAsync(Uri server, string run)
    {
        var streamer = new RawStreamer();
        var uri = new UriBuilder(server) { Scheme = "ws", Path = "/ws/frame", Query = $"is_streamer=true&run={run}" }.Uri;
        await streamer._socket.ConnectAsync(uri, CancellationToken.None);
        return streamer;
    }

    public Task SendAsync(string frame)
        => _socket.SendAsync(Encoding.UTF8.GetBytes(frame), WebSocketMessageType.Text, true, CancellationToken.None);

    public void Dispose() => _socket.Dispose();
}
