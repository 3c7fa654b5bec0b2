using System.Text;
using Brax.Viewer.Tests.Infrastructure;
using System.Text.Json.Nodes;

namespace Brax.Viewer.Tests.Fanout;

/// <summary>
/// Batched frames of a megabyte and more, the size where the frame path's copies, scans and writes
/// cost most: every viewer kind gets each one whole and unchanged, and a viewer that stops reading
/// neither delays the others nor gets a torn frame once it reads again.
/// </summary>
public sealed class BigFrameDeliveryTests : IAsyncLifetime
{
    private const int FrameBytes = 1_200_000;
    private ViewerTestServer _server = null!;

    public async Task InitializeAsync() => _server = await ViewerTestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Megabyte_batched_frames_reach_raw_JSON_and_MessagePack_viewers_byte_for_byte()
    {
        await using var raw = await RawClient.ConnectAsync(_server.WebSocket("ws/frame"));
        await using var json = await SignalRClient.ConnectAsync(_server, "hubs/frame", HubProtocolKind.Json);
        await using var messagePack = await SignalRClient.ConnectAsync(_server, "hubs/frame", HubProtocolKind.MessagePack);
        await using var streamer = await RawClient.ConnectAsync(_server.WebSocket("ws/frame?is_streamer=true"));
        await _server.ViewersJoinedAsync(3);

        for (var seq = 1; seq <= 4; seq++)
        {
            var sent = BatchedFrames.Json(FrameBytes, seq);
            sent.Length.Should().BeGreaterThan(1_000_000);
            await streamer.SendAsync(sent);

            (await raw.ReceiveBytesAsync(TimeSpan.FromSeconds(20))).Should().Equal(sent, "raw viewers get the streamer's bytes");
            (await json.NextFrameAsync(TimeSpan.FromSeconds(20))).Utf8Json.ToArray().Should().Equal(sent, "the JSON protocol carries the frame as its raw value");

            // The client turns the MessagePack map back into JSON text of the same values (1.0 comes back as 1).
            var unpacked = await messagePack.NextFrameAsync(TimeSpan.FromSeconds(20));
            JsonNode.DeepEquals(JsonNode.Parse(unpacked.ToString()), JsonNode.Parse(sent)).Should().BeTrue("MessagePack viewers get every value of the frame");
        }
    }

    [Fact]
    public async Task A_viewer_that_stops_reading_big_frames_delays_no_one_and_later_gets_whole_frames_newest_first()
    {
        await using var healthy = await RawClient.ConnectAsync(_server.WebSocket("ws/frame"));
        await using var json = await SignalRClient.ConnectAsync(_server, "hubs/frame", HubProtocolKind.Json);
        using var slow = await StalledWebSocket.ConnectAsync(_server.WebSocket("ws/frame"));
        await using var streamer = await RawClient.ConnectAsync(_server.WebSocket("ws/frame?is_streamer=true"));
        await _server.ViewersJoinedAsync(3);

        // Far more than the slow viewer's socket buffers hold, so the server must skip frames for it.
        const int Frames = 40;
        var sent = new Dictionary<long, byte[]>();
        for (var seq = 1; seq <= Frames; seq++)
        {
            sent[seq] = BatchedFrames.Json(FrameBytes, seq);
            await streamer.SendAsync(sent[seq]);
            (await healthy.ReceiveBytesAsync(TimeSpan.FromSeconds(20))).Should().Equal(sent[seq], "the reading viewer gets frame {0} while the other one reads nothing", seq);
            (await json.NextFrameAsync(TimeSpan.FromSeconds(20))).Utf8Json.ToArray().Should().Equal(sent[seq]);
        }

        // Now it reads: every frame it gets is one the streamer sent, whole, in order, ending with the newest.
        using var reading = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var received = new List<long>();
        while (received.Count == 0 || received[^1] != Frames)
        {
            var (opcode, payload) = await slow.ReadFrameAsync(reading.Token);
            if (opcode != 0x1)
            {
                continue;
            }

            var seq = SeqOf(payload);
            sent.Should().ContainKey(seq);
            payload.Should().Equal(sent[seq], "frame {0} reaches the slow viewer intact", seq);
            if (received.Count > 0)
            {
                seq.Should().BeGreaterThan(received[^1], "frames never go back in time");
            }

            received.Add(seq);
        }

        received.Count.Should().BeLessThan(Frames, "the slow viewer skipped frames instead of the server queueing all of them");
    }

    private static long SeqOf(byte[] frame)
    {
        var text = Encoding.UTF8.GetString(frame, 0, 80);
        var start = text.IndexOf("\"seq\":", StringComparison.Ordinal) + 6;
        return long.Parse(text[start..text.IndexOf(',', start)], System.Globalization.CultureInfo.InvariantCulture);
    }
}
