using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Threading.Channels;
using Brax.Viewer.Client;
using Brax.Viewer.Hubs;
using Brax.Viewer.Hubs.RawShim;
using Brax.Viewer.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Connections.Features;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;

namespace Brax.Viewer.Tests.RawShim;

/// <summary>
/// One test per assumption of <see cref="FrameworkContract"/>, each failing with the assumption's
/// name: a framework update that breaks one must be noticed here, not as garbled raw sockets.
/// </summary>
public sealed class FrameworkContractTests
{
    [Fact]
    public async Task Assumption_1_control_frames_are_written_whole_in_one_call()
    {
        // The server's socket over a stream that records its writes and reads a masked client ping, then a close.
        var stream = new RecordingStream(ClientFrame(0x89, "are you there"u8), ClientFrame(0x88, [0x03, 0xE8]));
        using var socket = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.Zero });

        var received = await socket.ReceiveAsync(new byte[64], CancellationToken.None);
        received.MessageType.Should().Be(WebSocketMessageType.Close);
        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);

        var pong = stream.Writes.Should().ContainSingle(write => (write[0] & 0x0F) == 0xA, "assumption 1 (control frames are written whole): the pong is one write").Subject;
        pong.Should().Equal([0x8A, 13, .. "are you there"u8.ToArray()], "assumption 1: the pong's header and payload go out in one write");
        var close = stream.Writes.Should().ContainSingle(write => FrameworkContract.IsCloseFrame(write), "assumption 1 (control frames are written whole): the close frame is one write starting with its header").Subject;
        close.Should().Equal([0x88, 5, 0x03, 0xE8, .. "bye"u8.ToArray()], "assumption 1: the close frame's header and payload go out in one write");
    }

    [Fact]
    public async Task Assumptions_2_and_3_the_handshake_answer_is_the_first_flush_and_each_message_is_one_flush()
    {
        await using var server = await ViewerTestServer.StartAsync();
        const string run = "framework-contract";
        var output = new RecordingPipeWriter();
        await using var connection = HubConnectionOver(output, protocol: "brax.raw.frame", query: $"?run={run}");
        var handler = server.GetRequiredService<HubConnectionHandler<FrameHub>>();
        var serving = handler.OnConnectedAsync(connection.Context);

        (await output.NextFlushAsync()).Should().Equal(FrameworkContract.HandshakeAccepted.ToArray(), "assumption 3 (the handshake answer comes first)");
        await Eventually.HoldsAsync(() => server.GetRequiredService<Brax.Viewer.Hubs.Diagnostics.HubDiagnostics>().ViewerMemberships == 1, "the connection joined its run");

        var frames = Enumerable.Range(0, 20).Select(i => Frame.Parse($$$"""{"seq":{{{i}}},"x":{"pos":[[0,0,{{{i}}}]],"rot":[[1,0,0,0]]}}""")).ToArray();
        var hub = server.GetRequiredService<IHubContext<FrameHub>>();
        foreach (var frame in frames)
        {
            await hub.Clients.Group(HubGroups.FrameViewers(run)).SendAsync(FrameHubContract.ReceiveFrame, frame);
        }

        foreach (var frame in frames)
        {
            Encoding.UTF8.GetString(await output.NextFlushAsync()).Should().Be(frame.ToString(), "assumption 2 (one message per flush): each flush holds exactly one frame");
        }

        connection.EndInput();
        await serving.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void Assumption_4_the_hub_connection_protocol_has_a_non_public_setter()
    {
        var property = typeof(HubConnectionContext).GetProperty(nameof(HubConnectionContext.Protocol));

        property.Should().NotBeNull("assumption 4 (the handshake sets the protocol)");
        property!.GetSetMethod(nonPublic: true).Should().NotBeNull("assumption 4 (the handshake sets the protocol): tests and the fan-out benchmark set it without a handshake");
    }

    [Fact]
    public async Task Assumption_5_a_vanished_peer_shows_as_an_exception_the_shim_knows()
    {
        var stream = new RecordingStream(failReadsWith: new IOException("Connection reset by peer"));
        using var socket = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.Zero });

        var receive = () => socket.ReceiveAsync(new ArraySegment<byte>(new byte[64]), CancellationToken.None);
        var thrown = (await receive.Should().ThrowAsync<Exception>()).Which;
        FrameworkContract.IsConnectionGone(thrown).Should().BeTrue("assumption 5 (how a vanished connection shows): a reset while reading threw {0}", thrown.GetType());

        var send = () => socket.SendAsync(new ArraySegment<byte>("late"u8.ToArray()), WebSocketMessageType.Text, true, CancellationToken.None);
        var afterAbort = (await send.Should().ThrowAsync<Exception>()).Which;
        FrameworkContract.IsConnectionGone(afterAbort).Should().BeTrue("assumption 5 (how a vanished connection shows): a send on the aborted socket threw {0}", afterAbort.GetType());
    }

    [Fact]
    public async Task Assumption_6_a_frame_header_is_read_through_the_stream_before_the_receive_reports_the_message()
    {
        // A text frame announcing 1000 bytes (16-bit length, zero mask), of which only 10 have arrived.
        byte[] partialFrame = [0x01, 0x80 | 126, 0x03, 0xE8, 0, 0, 0, 0, .. new byte[10]];
        var stream = new RawSocketStream(new RecordingStream(partialFrame));
        using var socket = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.Zero });

        var first = await socket.ReceiveAsync(Memory<byte>.Empty, CancellationToken.None);

        first.MessageType.Should().Be(WebSocketMessageType.Text);
        stream.AnnouncedBytes(1).Should().Be(1000, "assumption 6 (a frame's header is read before the receive reports it): the empty receive returned, so the header has passed through the stream");
    }

    [Fact]
    public async Task Assumption_7_kestrel_shows_a_plain_HTTP11_connections_own_socket()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var app = builder.Build();
        app.MapGet("/", (HttpContext http) =>
            WebSocketUpgrade.DirectSocket(http) is { RemoteEndPoint: IPEndPoint remote } && remote.Port == http.Connection.RemotePort ? "own socket" : "none");
        await app.StartAsync();
        using var client = new HttpClient { BaseAddress = new Uri(app.Urls.Single()) };

        (await client.GetStringAsync("/")).Should().Be("own socket", "assumption 7 (Kestrel shows a plain connection's socket): the request's features give the socket its client is connected to");
    }

    /// <summary>A client-to-server frame: final, masked (with a zero mask, so the payload reads as is).</summary>
    private static byte[] ClientFrame(byte firstByte, ReadOnlySpan<byte> payload) =>
        [firstByte, (byte)(0x80 | payload.Length), 0, 0, 0, 0, .. payload];

    /// <summary>A hub connection as the shim makes one: a SignalR handshake naming the protocol in its input, the request's query beside it.</summary>
    private static InMemoryConnection HubConnectionOver(PipeWriter output, string protocol, string query)
    {
        var input = new Pipe();
        input.Writer.Write(Encoding.UTF8.GetBytes($"{{\"protocol\":\"{protocol}\",\"version\":1}}\u001e"));
        input.Writer.FlushAsync().AsTask().GetAwaiter().GetResult(); // an empty pipe takes it at once
        var http = new DefaultHttpContext { Request = { QueryString = new QueryString(query) } };
        var context = new DefaultConnectionContext("contract-" + Guid.NewGuid().ToString("N")) { Transport = new DuplexPipe(input.Reader, output) };
        context.Features.Set<IHttpContextFeature>(new HttpContextFeature { HttpContext = http });
        return new InMemoryConnection(context, input.Writer);
    }

    private sealed class InMemoryConnection(DefaultConnectionContext context, PipeWriter input) : IAsyncDisposable
    {
        public DefaultConnectionContext Context => context;

        public void EndInput() => input.Complete();

        public ValueTask DisposeAsync() => context.DisposeAsync();
    }

    private sealed class HttpContextFeature : IHttpContextFeature
    {
        public HttpContext? HttpContext { get; set; }
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input => input;

        public PipeWriter Output => output;
    }

    /// <summary>Keeps what was written between two flushes as one flush.</summary>
    private sealed class RecordingPipeWriter : PipeWriter
    {
        private readonly ArrayBufferWriter<byte> _pending = new();
        private readonly Channel<byte[]> _flushes = Channel.CreateUnbounded<byte[]>();

        public async Task<byte[]> NextFlushAsync() => await _flushes.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));

        public override void Advance(int bytes) => _pending.Advance(bytes);

        public override Memory<byte> GetMemory(int sizeHint = 0) => _pending.GetMemory(sizeHint);

        public override Span<byte> GetSpan(int sizeHint = 0) => _pending.GetSpan(sizeHint);

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
        {
            if (_pending.WrittenCount > 0)
            {
                _flushes.Writer.TryWrite(_pending.WrittenSpan.ToArray());
                _pending.Clear();
            }

            return ValueTask.FromResult(new FlushResult(false, false));
        }

        public override void CancelPendingFlush()
        {
        }

        public override void Complete(Exception? exception = null) => _flushes.Writer.TryComplete();
    }

    /// <summary>A connection's stream that hands out the given reads, then fails or ends, and records every write separately.</summary>
    private sealed class RecordingStream(params byte[][] reads) : Stream
    {
        private readonly Queue<byte[]> _reads = new(reads);
        private readonly Exception? _failReadsWith;

        public RecordingStream(Exception failReadsWith)
            : this()
        {
            _failReadsWith = failReadsWith;
        }

        public List<byte[]> Writes { get; } = [];

        public override bool CanRead => true;

        public override bool CanWrite => true;

        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_failReadsWith is not null)
            {
                return ValueTask.FromException<int>(_failReadsWith);
            }

            if (!_reads.TryPeek(out var next))
            {
                return ValueTask.FromResult(0);
            }

            var count = Math.Min(buffer.Length, next.Length);
            next.AsSpan(0, count).CopyTo(buffer.Span);
            _reads.Dequeue();
            if (count < next.Length)
            {
                _reads.Enqueue(next[count..]);
            }

            return ValueTask.FromResult(count);
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            lock (Writes)
            {
                Writes.Add(buffer.ToArray());
            }

            return ValueTask.CompletedTask;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
