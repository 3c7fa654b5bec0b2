using System.Net.WebSockets;
using System.Text;
using System.Threading.Channels;

namespace Brax.Viewer.Tests.Infrastructure;

/// <summary>
/// A plain WebSocket client of the raw endpoints, as a browser page or script would be. It reads
/// continuously in the background (cancelling a WebSocket receive would abort the socket), so tests
/// can wait for a message or for silence.
/// </summary>
public sealed class RawClient : IAsyncDisposable
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);
    private static readonly byte[] ViewerCountPrefix = """{"type":"viewer_count","""u8.ToArray();
    private readonly Channel<byte[]> _messages = Channel.CreateUnbounded<byte[]>();
    private readonly Channel<int> _viewerCounts = Channel.CreateUnbounded<int>();
    private readonly Task _reading;

    private RawClient(ClientWebSocket socket)
    {
        Socket = socket;
        _reading = ReadAsync();
    }

    public ClientWebSocket Socket { get; }

    /// <summary>The close status the server sent, once the socket has closed.</summary>
    public WebSocketCloseStatus? CloseStatus => Socket.CloseStatus;

    /// <summary>Completes when the server has closed the socket or the connection dropped.</summary>
    public Task Closed => _reading;

    public static async Task<RawClient> ConnectAsync(Uri uri, Action<ClientWebSocketOptions>? configure = null)
    {
        var socket = new ClientWebSocket();
        configure?.Invoke(socket.Options);
        await socket.ConnectAsync(uri, CancellationToken.None);
        return new RawClient(socket);
    }

    public Task SendAsync(string text) => SendAsync(Encoding.UTF8.GetBytes(text));

    public Task SendAsync(byte[] bytes, WebSocketMessageType type = WebSocketMessageType.Text) =>
        Socket.SendAsync(bytes, type, endOfMessage: true, CancellationToken.None);

    /// <summary>The next message's bytes; throws on timeout or when the socket closed first.</summary>
    public async Task<byte[]> ReceiveBytesAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        try
        {
            return await _messages.Reader.ReadAsync(cts.Token);
        }
        catch (ChannelClosedException)
        {
            throw new WebSocketException($"closed by the server before a message arrived: {Socket.CloseStatus} {Socket.CloseStatusDescription}");
        }
    }

    public async Task<string> ReceiveAsync(TimeSpan? timeout = null) => Encoding.UTF8.GetString(await ReceiveBytesAsync(timeout));

    /// <summary>
    /// The next <c>viewer_count</c> of a control socket. Those are kept apart from the other messages,
    /// which tests of the toggle read in order: they come on connect and whenever viewers come and go.
    /// </summary>
    public async Task<int> NextViewerCountAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        return await _viewerCounts.Reader.ReadAsync(cts.Token);
    }

    /// <summary>A <c>viewer_count</c> that has already arrived, if any.</summary>
    public bool TryTakeViewerCount(out int count) => _viewerCounts.Reader.TryRead(out count);

    /// <summary>Asserts that nothing arrives for <paramref name="quiet"/>.</summary>
    public async Task ExpectNothingAsync(TimeSpan quiet)
    {
        // A fixed wait on purpose: "nothing arrives" has no event to wait for, only a span to watch.
        await Task.Delay(quiet);
        if (_messages.Reader.TryRead(out var message))
        {
            throw new InvalidOperationException("expected no message, got: " + Encoding.UTF8.GetString(message));
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Socket.State == WebSocketState.Open)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await Socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, cts.Token);
                await _reading.WaitAsync(cts.Token);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or TimeoutException)
            {
            }
        }

        Socket.Dispose();
    }

    private async Task ReadAsync()
    {
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        try
        {
            while (true)
            {
                var result = await Socket.ReceiveAsync(buffer, CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }

                message.Write(buffer, 0, result.Count);
                if (result.EndOfMessage)
                {
                    var bytes = message.ToArray();
                    if (bytes.AsSpan().StartsWith(ViewerCountPrefix))
                    {
                        using var count = System.Text.Json.JsonDocument.Parse(bytes);
                        _viewerCounts.Writer.TryWrite(count.RootElement.GetProperty("count").GetInt32());
                    }
                    else
                    {
                        _messages.Writer.TryWrite(bytes);
                    }

                    message.SetLength(0);
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException or OperationCanceledException)
        {
        }
        finally
        {
            _messages.Writer.TryComplete();
            _viewerCounts.Writer.TryComplete();
        }
    }
}
