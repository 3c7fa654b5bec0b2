using BenchmarkDotNet.Attributes;
using Brax.Viewer.Client;
using Brax.Viewer.Hubs.RawShim;

namespace Brax.Viewer.Benchmarks;

/// <summary>
/// One raw delivery's write path in the shim, per viewer: the hub connection writes the frame's
/// shared bytes to the viewer's <see cref="WebSocketMessageWriter"/>, which frames them as one
/// RFC 6455 text message on the viewer's <see cref="RawSocketStream"/>. The stream under it takes
/// every write at once and keeps nothing, so this is the shim's own cost, without Kestrel's copy
/// into its output pipe or the send system call.
/// </summary>
[MemoryDiagnoser]
public class RawDeliveryBenchmarks
{
    private WebSocketMessageWriter _writer = null!;
    private ReadOnlyMemory<byte> _frame;

    [Params(1_700, 150_000, 1_000_000)]
    public int FrameBytes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _frame = Frame.Parse(Frames.Json(FrameBytes).AsSpan()).Utf8Json;
        _writer = new WebSocketMessageWriter(new FanOutBenchmarks.AlwaysOpenWebSocket(), new RawSocketStream(new FanOutBenchmarks.AlwaysReadyStream()), abortSocket: static () => { });

        // The raw writer takes its first message to be the hub's handshake answer.
        _writer.WriteAsync("{}\u001e"u8.ToArray()).AsTask().GetAwaiter().GetResult();
    }

    /// <summary>What <c>HubConnectionContext.WriteAsync</c> does for a raw viewer with a frame's cached bytes.</summary>
    [Benchmark]
    public bool Deliver()
    {
        // The stream below completes every write at once, so the whole delivery is synchronous.
        var write = _writer.WriteAsync(_frame);
        return write.IsCompletedSuccessfully ? write.Result.IsCompleted : throw new InvalidOperationException("a write did not complete at once");
    }
}
