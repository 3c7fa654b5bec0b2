using System.Net.WebSockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Brax.Viewer.Tests.Infrastructure;

namespace Brax.Viewer.Tests.Page.Browser;

/// <summary>A streamer on the raw endpoint, as a training process connects: <c>/ws/frame?is_streamer=true</c>.</summary>
internal sealed class RawStreamer : IDisposable
{
    private readonly ClientWebSocket _socket = new();

    /// <param name="server">http: or https: address of the server; the streamer uses ws: or wss: to match.</param>
    /// <param name="accessKey">The streamer key, sent as <c>Authorization: Bearer</c> when the server has keys.</param>
    /// <param name="trustedCertificate">The only certificate accepted for wss: (a test's own, signed by no authority).</param>
    public static async Task<RawStreamer> ConnectAsync(Uri server, string run, string? accessKey = null, X509Certificate2? trustedCertificate = null)
    {
        var streamer = new RawStreamer();
        var scheme = server.Scheme == Uri.UriSchemeHttps ? "wss" : "ws";
        var uri = new UriBuilder(server) { Scheme = scheme, Path = "/ws/frame", Query = $"is_streamer=true&run={run}" }.Uri;
        if (accessKey is not null)
        {
            streamer._socket.Options.SetRequestHeader("Authorization", $"Bearer {accessKey}");
        }

        if (trustedCertificate is not null)
        {
            streamer._socket.Options.RemoteCertificateValidationCallback = (_, certificate, _, _) => TestCertificate.IsPinned(certificate, trustedCertificate);
        }

        await streamer._socket.ConnectAsync(uri, CancellationToken.None);
        return streamer;
    }

    public Task SendAsync(string frame)
        => _socket.SendAsync(Encoding.UTF8.GetBytes(frame), WebSocketMessageType.Text, true, CancellationToken.None);

    public void Dispose() => _socket.Dispose();
}
