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
using Brax.Viewer.Hubs.Runs;
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
/// per-delivery allocation (target 7 wants none), the rest is per frame. The writes of one frame run
/// on one lane per core; an operation ends when every viewer has been written to, so its time is
/// the whole fan-out's and its allocation counts every lane's thread. With <see cref="History"/>
/// on, the run's <see cref="FrameHistory"/> keeps every frame as the server's does (default bounds,
/// so in steady state each frame kept drops the oldest).
/// </summary>
[MemoryDiagnoser]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "BenchmarkDotNet disposes through [GlobalCleanup].")]
public class FanOutBenchmarks
{
    // The group a server puts the default run's viewers in, not a name of the test's own.
    private static readonly string Group = HubGroups.FrameViewers(RunContract.DefaultRun);
    private readonly List<HubConnectionContext> _connections = [];
    private readonly ListenedMetrics _metrics = new();
    private ViewerGroups _groups = null!;
    private FrameHistory _history = null!;
    private Frame _frame = null!;

    [Params(100, 1000)]
    public int Viewers { get; set; }

    [Params("raw", "json", "messagepack")]
    public string Protocol { get; set; } = "raw";

    [Params(false, true)]
    public bool History { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var diagnostics = new HubDiagnostics();
        var options = new FanoutOptions();
        _history = new FrameHistory(
            Options.Create(History ? new HistoryOptions() : new HistoryOptions { HistoryMaxBytes = 0 }),
            TimeProvider.System,
            _metrics.Metrics);
        _groups = new ViewerGroups(Options.Create(options), diagnostics, _metrics.Metrics, NullLogger<ViewerGroups>.Instance, TimeProvider.System, [_history]);
        _frame = Frame.Parse(Frames.Json(1_700).AsSpan());
        IHubProtocol protocol = Protocol switch
        {
            "raw" => new RawFrameProtocol(new BadInputLog(NullLogger<BadInputLog>.Instance, TimeProvider.System, _metrics.Metrics)),
            "json" => new JsonHubProtocol(),
            _ => new MessagePackHubProtocol(),
        };

        for (var i = 0; i < Viewers; i++)
        {
            PipeWriter output = Protocol == "raw" ? new WebSocketMessageWriter(new AlwaysOpenWebSocket(), new RawSocketStream(new AlwaysReadyStream()), abortSocket: static () => { }) : new DiscardingPipeWriter();
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
            _groups.Join(Group, new ViewerMailbox(connection, diagnostics, _metrics.Metrics, options.MaxQueuedFramesPerViewer, options.MaxQueuedBytesPerViewer));
        }

        // A benchmark that delivered nothing would show 0 B for the wrong reason, and one whose
        // deliveries went uncounted would leave out what counting them costs.
        OfferFrame();
        var counted = _metrics.Sum("brax.viewer.frames.delivered");
        if (counted != Viewers)
        {
            throw new InvalidOperationException($"{counted} deliveries counted for {Viewers} viewers");
        }

        if (_history.Size.Frames != (History ? 1 : 0))
        {
            throw new InvalidOperationException($"the history holds {_history.Size.Frames} frames with History={History}");
        }
    }

    private static long Delivered => Interlocked.Read(ref AlwaysReadyStream.Writes) + Interlocked.Read(ref DiscardingPipeWriter.Flushes);

    [GlobalCleanup]
    public void Cleanup()
    {
        _groups.Dispose();
        _history.Dispose();
        _metrics.Dispose();
    }

    /// <summary>What <c>FrameHub.SendFrame</c> leads to: one message built per frame, offered to every viewer.</summary>
    [Benchmark]
    public void OfferFrame()
    {
        var done = Delivered + Viewers;
        _groups.Offer(Group, new SerializedHubMessage(new InvocationMessage(FrameHubContract.ReceiveFrame, [_frame])), BacklogTag.Of(_frame));
        var wait = default(SpinWait);
        var deadline = Environment.TickCount64 + 10_000;
        while (Delivered < done)
        {
            wait.SpinOnce();
            if (Environment.TickCount64 > deadline)
            {
                throw new InvalidOperationException($"a frame reached {Viewers - (done - Delivered)} of {Viewers} viewers");
            }
        }
    }

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
            Interlocked.Increment(ref Flushes);
            return new(new FlushResult(false, false));
        }

        public override Memory<byte> GetMemory(int sizeHint = 0) => _buffer;

        public override Span<byte> GetSpan(int sizeHint = 0) => _buffer;
    }

    /// <summary>A raw viewer's upgraded connection that always has room: writes complete at once and go nowhere.</summary>
    internal sealed class AlwaysReadyStream : Stream
    {
        public static long Writes;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref Writes);
            return ValueTask.CompletedTask;
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => Interlocked.Increment(ref Writes);
    }

    /// <summary>The state a raw viewer's socket reports while open; the shim sends through its stream, not through it.</summary>
    internal sealed class AlwaysOpenWebSocket : WebSocket
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

        public override Task SendAsync(ArraySegment<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken) =>
            throw new NotSupportedException();
    }
}
