using System.Net.WebSockets;
using Brax.Viewer.LoadGen.Frames;
using Brax.Viewer.LoadGen.Metrics;

namespace Brax.Viewer.LoadGen.Clients;

/// <summary>
/// A viewer on <c>/ws/frame</c>. The receive loop reuses one buffer (grown to the largest frame
/// seen) and reads only the frame's stamp, so it costs little per frame.
/// </summary>
internal sealed class RawViewer : IViewer
{
    // Small at first: 10,000 idle viewers must not cost the generator a large buffer each.
    private const int InitialBuffer = 2048;

    private readonly ClientWebSocket _socket;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private volatile bool _stalled;

    private RawViewer(ClientWebSocket socket, ViewerStats stats)
    {
        _socket = socket;
        Stats = stats;
        _loop = Task.Run(ReceiveLoopAsync);
    }

    public ViewerKind Kind => ViewerKind.Raw;

    public ViewerStats Stats { get; }

    public bool IsOpen => _socket.State == WebSocketState.Open && !_loop.IsCompleted;

    public static async Task<RawViewer> ConnectAsync(Connector connector, Uri server, ViewerStats stats, CancellationToken cancellationToken)
    {
        var socket = await connector.ConnectAsync(new Uri(server, "ws/frame"), cancellationToken);
        return new RawViewer(socket, stats);
    }

    public void Stall()
    {
        Stats.Stop();
        _stalled = true;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _socket.Abort();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }

        _socket.Dispose();
        _stop.Dispose();
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[InitialBuffer];
        var length = 0;
        var token = _stop.Token;
        try
        {
            while (!token.IsCancellationRequested)
            {
                if (_stalled && length == 0)
                {
                    await Task.Delay(Timeout.Infinite, token);
                }

                var result = await _socket.ReceiveAsync(buffer.AsMemory(length), token);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }

                length += result.Count;
                if (!result.EndOfMessage)
                {
                    if (length == buffer.Length)
                    {
                        Array.Resize(ref buffer, buffer.Length * 2);
                    }

                    continue;
                }

                if (FrameStamp.TryRead(buffer.AsSpan(0, length), out var stamp))
                {
                    Stats.Record(stamp);
                }
                else
                {
                    Stats.RecordUnreadable();
                }

                length = 0;
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The run is over or the server closed the socket; IsOpen tells which.
        }
    }
}
