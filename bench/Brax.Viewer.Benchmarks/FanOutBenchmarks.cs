using System.IO.Pipelines;
using System.Net.WebSockets;
using System.Reflection;
using BenchmarkDotNet.Attributes;
using Brax.Viewer.Client;
using Brax.Viewer.Hubs;
using Brax.Viewer.Hubs.Diagnostics;
using Brax.Viewer.Hubs.Fanout;
using Brax.Viewer.Hubs.Protocols;
using Brax.Viewer.Hubs.RawShim;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Brax.Viewer.Benchmarks;

/// <summary>
/// The fan-out offer path: one frame offered to every viewer of a group, through the real
/// <see cref="ViewerGroups"/>, <see cref="ViewerMailbox"/> and <see cref="HubConnectionContext"/>,
/// into transports whose writes complete at once (a viewer that keeps up). One operation is one
/// frame to <see cref="Viewers"/> viewers; allocation that grows with <see cref="Viewers"/> is
/// per-delivery allocation (target 7 wants none), the rest is per frame.
/// </summary>
[MemoryDiagnoser]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "BenchmarkDotNet disposes through [GlobalCleanup].")]
public class FanOutBenchmarks
{
    private const string Group = "frames:default";
    private readonly List<HubConnectionContext> _connections = [];
    private ViewerGroups _groups = null!;
    private Frame _frame = null!;

    [Params(100, 1000)]
    public int Viewers { get; set; }

    [Params("raw", "json", "messagepack")]
    public string Protocol { get; set; } = "raw";

    [GlobalSetup]
    public void Setup()
    {
        var diagnostics = new HubDiagnostics();
        var options = new ViewerOptions();
        _groups = new ViewerGroups(Options.Create(options), diagnostics, NullLogger<ViewerGroups>.Instance, TimeProvider.System);
        _frame = Frame.Parse(Frames.Json(1_700).AsSpan());
        IHubProtocol protocol = Protocol switch
        {
            "raw" => new RawFrameProtocol(NullLogger<RawFrameProtocol>.Instance),
            "json" => new JsonHubProtocol(),
            _ => new MessagePackHubProtocol(),
        };

        for (var i = 0; i < Viewers; i++)
        {
            PipeWriter output = Protocol == "raw" ? new WebSocketMessageWriter(new AlwaysReadyWebSocket(), abortSocket: static () => { }) : new DiscardingPipeWriter();
            if (output is WebSocketMessageWriter raw)
            {
                // The raw writer takes its first message to be the hub's handshake answer.
                raw.WriteAsync("{}\u001e"u8.ToArray()).AsTask().GetAwaiter().GetResult();
            }

            var context = new DefaultConnectionContext($"viewer-{i}", new DuplexPipe(new Pipe().Reader, output), new DuplexPipe(new Pipe().Reader, new Pipe().Writer));
            var connection = new HubConnectionContext(context, new HubConnectionContextOptions
            {
                KeepAliveInterval = TimeSpan.FromSeconds(15),
                ClientTimeoutInterval = TimeSpan.FromSeconds(30),
                StreamBufferCapacity = 10,
            }, NullLoggerFactory.Instance);

            // Set by the handshake in a real connection; the benchmark skips the handshake.
            typeof(HubConnectionContext).GetProperty(nameof(HubConnectionContext.Protocol), BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)!
                .SetValue(connection, protocol);
            _connections.Add(connection);
            _groups.Join(Group, new ViewerMailbox(connection, diagnostics, options.MaxQueuedFramesPerViewer, options.MaxQueuedBytesPerViewer));
        }

        OfferFrame();

        // A benchmark that delivered nothing would show 0 B for the wrong reason.
        var delivered = Protocol == "raw" ? AlwaysReadyWebSocket.Sends : DiscardingPipeWriter.Flushes;
        if (delivered < Viewers)
        {
            throw new InvalidOperationException($"the first frame reached {delivered} of {Viewers} viewers");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _groups.Dispose();

    /// <summary>What <c>FrameHub.SendFrame</c> leads to: one message built per frame, offered to every viewer.</summary>
    [Benchmark]
    public void OfferFrame() => _groups.Offer(Group, new SerializedHubMessage(new InvocationMessage(FrameHubContract.ReceiveFrame, [_frame])), BacklogTag.Of(_frame));

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }

    /// <summary>A SignalR transport whose socket always has room: writes complete at once and go nowhere.</summary>
    private sealed class DiscardingPipeWriter : PipeWriter
    {
        private readonly byte[] _buffer = new byte[256 * 1024];

        public override void Advance(int bytes)
        {
        }

        public override void CancelPendingFlush()
        {
        }

        public override void Complete(Exception? exception = null)
        {
        }

        public static long Flushes;

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
        {
            Flushes++;
            return new(new FlushResult(false, false));
        }

        public override Memory<byte> GetMemory(int sizeHint = 0) => _buffer;

        public override Span<byte> GetSpan(int sizeHint = 0) => _buffer;
    }

    /// <summary>A raw viewer's socket that always has room.</summary>
    private sealed class AlwaysReadyWebSocket : WebSocket
    {
        public override WebSocketCloseStatus? CloseStatus => null;

        public override string? CloseStatusDescription => null;

        public override WebSocketState State => WebSocketState.Open;

        public override string? SubProtocol => null;

        public override void Abort()
        {
        }

        public override Task CloseAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken) => Task.CompletedTask;

        public override Task CloseOutputAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken) => Task.CompletedTask;

        public override void Dispose()
        {
        }

        public override Task<WebSocketReceiveResult> ReceiveAsync(ArraySegment<byte> buffer, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public override Task SendAsync(ArraySegment<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken) => Task.CompletedTask;

        public static long Sends;

        public override ValueTask SendAsync(ReadOnlyMemory<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken)
        {
            Sends++;
            return ValueTask.CompletedTask;
        }
    }
}
