using System.Diagnostics;
using System.Net.WebSockets;
using Brax.Viewer.LoadGen.Frames;

namespace Brax.Viewer.LoadGen.Clients;

/// <summary>
/// A streamer on <c>/ws/frame?is_streamer=true</c>: sends stamped frames at a fixed rate, or back to
/// back as fast as the server takes them (<c>fps</c> 0).
/// </summary>
internal sealed class Streamer : IAsyncDisposable
{
    private readonly ClientWebSocket _socket;
    private readonly FrameFactory _frames;
    private readonly int _id;
    private readonly int _fps;
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;
    private long _lastSent;

    private Streamer(ClientWebSocket socket, FrameFactory frames, int id, int fps)
    {
        _socket = socket;
        _frames = frames;
        _id = id;
        _fps = fps;
    }

    public int Id => _id;

    /// <summary>Sequence number of the last frame handed to the socket.</summary>
    public long LastSent => Volatile.Read(ref _lastSent);

    public static async Task<Streamer> ConnectAsync(Connector connector, Uri server, FrameFactory frames, int id, int fps, CancellationToken cancellationToken)
    {
        var socket = await connector.ConnectAsync(new Uri(server, "ws/frame?is_streamer=true"), cancellationToken);
        return new Streamer(socket, frames, id, fps);
    }

    public void Start() => _loop = Task.Run(SendLoopAsync);

    /// <summary>Stops sending and waits for the send in flight; <see cref="LastSent"/> is final afterwards.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        if (_loop is not null)
        {
            try
            {
                await _loop;
            }
            catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
            {
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _socket.Abort();
        _socket.Dispose();
        _stop.Dispose();
    }

    private async Task SendLoopAsync()
    {
        var buffer = new byte[_frames.MaxLength];
        var token = _stop.Token;
        var period = _fps > 0 ? Stopwatch.Frequency / _fps : 0;
        var due = Stopwatch.GetTimestamp();
        long seq = 0;
        while (!token.IsCancellationRequested)
        {
            if (period > 0)
            {
                due += period;
                var now = Stopwatch.GetTimestamp();
                if (now - due > 5 * period)
                {
                    // Far behind (the machine was busy): resume the rate instead of sending a burst.
                    due = now;
                }
                else if (due > now)
                {
                    await Task.Delay(Stopwatch.GetElapsedTime(now, due), token);
                }
            }

            // Not cancellable: cancelling a WebSocket send aborts the socket, and the stop must be clean.
            seq++;
            var length = _frames.Write(buffer, _id, seq, Stopwatch.GetTimestamp());
            await _socket.SendAsync(buffer.AsMemory(0, length), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
            Volatile.Write(ref _lastSent, seq);
        }
    }
}
