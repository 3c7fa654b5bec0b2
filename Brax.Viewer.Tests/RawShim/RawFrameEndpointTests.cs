using System.Net.WebSockets;
using System.Text;
using Brax.Viewer.Hubs.Diagnostics;
using Brax.Viewer.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Brax.Viewer.Tests.RawShim;

public sealed class RawFrameEndpointTests : IAsyncLifetime
{
    private const string Odd = """{"x":{"pos":[[0.1000000000000000055511151231257827, -1e-320, 1.7976931348623157e308]],"rot":[[1,0,0,0]]} , "env_id":2,"q":[0.30000000000000004]}""";
    private readonly CapturingLoggerProvider _logs = new();
    private ViewerTestServer _server = null!;

    public async Task InitializeAsync() =>
        _server = await ViewerTestServer.StartAsync(
            new Dictionary<string, string?>
            {
                ["Viewer:MaxFrameBytes"] = (8 * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture),

                // These tests send bursts as fast as a socket takes them and pin that every frame arrives;
                // a backlog deep enough for the whole burst keeps the skip policy (pinned in SlowViewerTests) out of it.
                ["Viewer:MaxQueuedFramesPerViewer"] = "4096",
                ["Viewer:MaxQueuedBytesPerViewer"] = (64 * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture),
            },
            builder => builder.Logging.AddProvider(_logs));

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Raw_viewers_receive_every_frame_byte_for_byte_in_order()
    {
        await using var viewerA = await RawClient.ConnectAsync(_server.WebSocket("ws/frame"));
        await using var viewerB = await RawClient.ConnectAsync(_server.WebSocket("ws/frame?is_streamer=false"));
        await using var streamer = await RawClient.ConnectAsync(_server.WebSocket("ws/frame?is_streamer=true"));
        await _server.ViewersJoinedAsync(2);

        var frames = BraxFixtures.Frames("ant").Take(60).Append(Odd).ToList();
        foreach (var frame in frames)
        {
            await streamer.SendAsync(frame);
        }

        foreach (var viewer in new[] { viewerA, viewerB })
        {
            foreach (var frame in frames)
            {
                (await viewer.ReceiveBytesAsync()).Should().Equal(Encoding.UTF8.GetBytes(frame));
            }
        }
    }

    [Theory]
    [InlineData(125)]
    [InlineData(126)]
    [InlineData(65_535)]
    [InlineData(65_536)]
    [InlineData(300_000)]
    public async Task Frames_reach_viewers_whole_in_every_length_encoding_of_the_frame_header(int length)
    {
        // The shim writes frame headers itself: 7-bit lengths up to 125, 16-bit up to 65,535, 64-bit beyond,
        // and payloads over 64 KiB after their header in a second write (this client never answers the
        // ping that would move them to its socket). A bare socket reads them as sent.
        using var viewer = await StalledWebSocket.ConnectAsync(_server.WebSocket("ws/frame"));
        await using var streamer = await RawClient.ConnectAsync(_server.WebSocket("ws/frame?is_streamer=true"));
        await _server.ViewersJoinedAsync(1);
        var prefix = """{"x":{"pos":[[0,0,0]],"rot":[[1,0,0,0]]},"pad":" """;
        var frame = prefix + new string('a', length - prefix.Length - 2) + "\"}";
        frame.Length.Should().Be(length);

        await streamer.SendAsync(frame);

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var (opcode, payload) = await viewer.ReadFrameSkippingPingsAsync(timeout.Token);
        opcode.Should().Be(0x1, "frames are text messages");
        payload.Should().Equal(Encoding.UTF8.GetBytes(frame));
    }

    [Fact]
    public async Task Streamers_never_receive_frames_and_viewer_chatter_is_ignored()
    {
        await using var viewer = await RawClient.ConnectAsync(_server.WebSocket("ws/frame"));
        await using var streamerA = await RawClient.ConnectAsync(_server.WebSocket("ws/frame?is_streamer=true"));
        await using var streamerB = await RawClient.ConnectAsync(_server.WebSocket("ws/frame?is_streamer=true"));
        await using var otherViewer = await RawClient.ConnectAsync(_server.WebSocket("ws/frame"));
        await _server.ViewersJoinedAsync(2);

        await otherViewer.SendAsync(Odd);
        await otherViewer.SendAsync("hello from a viewer");
        await streamerA.SendAsync(Odd);

        (await viewer.ReceiveAsync()).Should().Be(Odd, "only the streamer's frame reaches viewers");
        (await otherViewer.ReceiveAsync()).Should().Be(Odd);
        await viewer.ExpectNothingAsync(TimeSpan.FromMilliseconds(300));
        await streamerA.ExpectNothingAsync(TimeSpan.FromMilliseconds(100));
        await streamerB.ExpectNothingAsync(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public async Task Several_streamers_reach_every_viewer_with_each_streamers_order_kept()
    {
        await using var viewer = await RawClient.ConnectAsync(_server.WebSocket("ws/frame"));
        var streamers = new List<RawClient>();
        for (var s = 0; s < 3; s++)
        {
            streamers.Add(await RawClient.ConnectAsync(_server.WebSocket("ws/frame?is_streamer=true")));
        }

        await _server.ViewersJoinedAsync(1);
        const int perStreamer = 200;
        await Task.WhenAll(streamers.Select((streamer, s) => Task.Run(async () =>
        {
            for (var i = 0; i < perStreamer; i++)
            {
                await streamer.SendAsync($$"""{"x":{"pos":[[{{s}},{{i}},0]],"rot":[[1,0,0,0]]},"streamer":{{s}},"seq":{{i}}}""");
            }
        })));

        var next = new int[streamers.Count];
        for (var received = 0; received < perStreamer * streamers.Count; received++)
        {
            using var frame = System.Text.Json.JsonDocument.Parse(await viewer.ReceiveAsync());
            var s = frame.RootElement.GetProperty("streamer").GetInt32();
            frame.RootElement.GetProperty("seq").GetInt32().Should().Be(next[s], "frames of streamer {0} arrive in the order it sent them", s);
            next[s]++;
        }

        foreach (var streamer in streamers)
        {
            await streamer.DisposeAsync();
        }
    }

    [Theory]
    [InlineData("not json at all")]
    [InlineData("""{"x": {"pos": [[0, 0, 0]], "rot": [[1, 0, 0, 0]]}""")]
    [InlineData("""{"y": 1}""")]
    [InlineData("""[1, 2, 3]""")]
    [InlineData("""{"x": {"pos": [[0, 0]], "rot": [[1, 0, 0, 0]]}}""")]
    [InlineData("""{"x": {"pos": [[0, 0, 0]], "rot": [[1, 0, 0, 0]], "extra": 1}} trailing""")]
    [InlineData("""{"x": {"pos": [[NaN, 0, 0]], "rot": [[1, 0, 0, 0]]}}""")]
    [InlineData("""{"x": {"pos": [[Infinity, 0, 0]], "rot": [[1, 0, 0, 0]]}}""")]
    [InlineData("{\"x\": {\"pos\": [[0, 0, 0]], \"rot\": [[1, 0, 0, 0]]}}\u001e")]
    [InlineData("{\"x\": {\"pos\": [[0, 0, 0]], \"rot\": [[1, 0, 0, 0]]}\u001e, \"y\": 1}")]
    public async Task Invalid_text_is_ignored_and_the_streamer_stays_connected(string invalid)
    {
        await using var viewer = await RawClient.ConnectAsync(_server.WebSocket("ws/frame"));
        await using var streamer = await RawClient.ConnectAsync(_server.WebSocket("ws/frame?is_streamer=true"));
        await _server.ViewersJoinedAsync(1);

        await streamer.SendAsync(invalid);
        await streamer.SendAsync(Odd);

        (await viewer.ReceiveAsync()).Should().Be(Odd, "the invalid message is dropped and the next valid frame still flows");
        streamer.Socket.State.Should().Be(WebSocketState.Open);
    }

    [Fact]
    public async Task Binary_messages_are_ignored_and_the_streamer_stays_connected()
    {
        await using var viewer = await RawClient.ConnectAsync(_server.WebSocket("ws/frame"));
        await using var streamer = await RawClient.ConnectAsync(_server.WebSocket("ws/frame?is_streamer=true"));
        await _server.ViewersJoinedAsync(1);

        await streamer.SendAsync(Encoding.UTF8.GetBytes(Odd), WebSocketMessageType.Binary);
        await streamer.SendAsync(Odd.Replace("\"env_id\":2", "\"env_id\":3", StringComparison.Ordinal));

        (await viewer.ReceiveAsync()).Should().Contain("\"env_id\":3");
        streamer.Socket.State.Should().Be(WebSocketState.Open);
    }

    [Fact]
    public async Task Frames_over_the_limit_are_drained_and_ignored_while_large_frames_under_it_are_relayed()
    {
        await using var viewer = await RawClient.ConnectAsync(_server.WebSocket("ws/frame"));
        await using var streamer = await RawClient.ConnectAsync(_server.WebSocket("ws/frame?is_streamer=true"));
        await _server.ViewersJoinedAsync(1);

        var tooLarge = LargeFrame(9 * 1024 * 1024);
        var large = LargeFrame(5 * 1024 * 1024);
        await streamer.SendAsync(tooLarge);
        await streamer.SendAsync(large);

        (await viewer.ReceiveBytesAsync(TimeSpan.FromSeconds(30))).Should().Equal(large, "the 9 MB frame is over the 8 MB limit and the 5 MB one is under it");
        streamer.Socket.State.Should().Be(WebSocketState.Open);
    }

    [Fact]
    public async Task Garbage_floods_are_logged_at_a_bounded_rate()
    {
        await using var viewer = await RawClient.ConnectAsync(_server.WebSocket("ws/frame"));
        await using var streamer = await RawClient.ConnectAsync(_server.WebSocket("ws/frame?is_streamer=true"));
        await _server.ViewersJoinedAsync(1);

        for (var i = 0; i < 1000; i++)
        {
            await streamer.SendAsync(i % 2 == 0 ? "garbage" : "{\"x\":1}");
            await streamer.SendAsync([1, 2, 3], WebSocketMessageType.Binary);
        }

        await streamer.SendAsync(Odd);
        (await viewer.ReceiveAsync()).Should().Be(Odd);

        var reports = _logs.Entries.Count(e => e.Category == typeof(BadInputLog).FullName);
        reports.Should().BeInRange(5, 10, "2,000 bad messages are reported five times per window (the flood may straddle two)");
    }

    private static byte[] LargeFrame(int approximateBytes)
    {
        var text = new StringBuilder("""{"x":{"pos":[""");
        var bodies = 0;
        while (text.Length < approximateBytes)
        {
            text.Append(bodies == 0 ? "" : ",").Append("[0.12345678901234567,1.2345678901234567,2.3456789012345678]");
            bodies++;
        }

        text.Append("],\"rot\":[").AppendJoin(',', Enumerable.Repeat("[1,0,0,0]", bodies)).Append("]}}");
        return Encoding.UTF8.GetBytes(text.ToString());
    }
}
