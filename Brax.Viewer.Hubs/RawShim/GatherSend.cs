using System.Net.Sockets;
using System.Threading.Tasks.Sources;

namespace Brax.Viewer.Hubs.RawShim;

/// <summary>
/// Sends a WebSocket frame's header and its payload to a socket in one system call (a gather
/// send), without copying the payload: the frame's one array, shared by every viewer, goes to the
/// kernel as it is. Reused for every send of one connection, which writes one frame at a time, so
/// a send allocates nothing. The socket sends every byte before it completes (or fails).
/// </summary>
internal sealed class GatherSend : SocketAsyncEventArgs, IValueTaskSource
{
    private readonly ArraySegment<byte>[] _segments = new ArraySegment<byte>[2];
    private ManualResetValueTaskSourceCore<bool> _completion = new() { RunContinuationsAsynchronously = true };

    public GatherSend()
        : base(unsafeSuppressExecutionContextFlow: true)
    {
    }

    public ValueTask SendAsync(Socket socket, ArraySegment<byte> header, ArraySegment<byte> payload)
    {
        _completion.Reset();
        _segments[0] = header;
        _segments[1] = payload;

        // BufferList copies the segments into a list it keeps, so setting it again allocates nothing.
        BufferList = _segments;
        if (!socket.SendAsync(this))
        {
            return SocketError == SocketError.Success
                ? ValueTask.CompletedTask
                : ValueTask.FromException(new SocketException((int)SocketError));
        }

        return new ValueTask(this, _completion.Version);
    }

    protected override void OnCompleted(SocketAsyncEventArgs e)
    {
        if (SocketError == SocketError.Success)
        {
            _completion.SetResult(true);
        }
        else
        {
            _completion.SetException(new SocketException((int)SocketError));
        }
    }

    void IValueTaskSource.GetResult(short token) => _completion.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _completion.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _completion.OnCompleted(continuation, state, token, flags);
}
