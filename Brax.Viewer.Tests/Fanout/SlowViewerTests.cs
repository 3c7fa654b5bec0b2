using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Brax.Viewer.Hubs.Diagnostics;
using Brax.Viewer.LoadGen.Hosting;
using Brax.Viewer.Tests.Infrastructure;

namespace Brax.Viewer.Tests.Fanout;

[Collection(MeasuringGroup.Name)]
public sealed class SlowViewerTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const int FrameBytes = 60 * 1024;

    [Fact]
    public async Task Stalled_viewer_does_not_delay_the_streamer_or_other_viewers_and_the_server_holds_little_for_it()
    {
        // The run history keeps the last minute of frames on purpose, within its own bound (tested
        // in Runs/); off here, so the growth measured is what the stalled viewer costs.
        await using var server = await ServerProcess.StartAsync(["--urls", "http://127.0.0.1:0", "--Viewer:SendTimeout=00:05:00", "--Viewer:HistoryMaxBytes=0"]);
        using var http = new HttpClient();
        var healthy = new List<RawClient>();
        for (var i = 0; i < 3; i++)
        {
            healthy.Add(await RawClient.ConnectAsync(server.WebSocket("ws/frame")));
        }

        using var stalled = await StalledWebSocket.ConnectAsync(server.WebSocket("ws/frame"));
        await using var streamer = await RawClient.ConnectAsync(server.WebSocket("ws/frame?is_streamer=true"));
        await Eventually.HoldsAsync(() => Diagnostics(http, server)["frame_viewers"]!.GetValue<long>() == 4, "4 viewers are connected");

        // Warm up (JIT, pools, socket buffers) before the baseline.
        await StreamAsync(streamer, healthy, first: 0, count: 100);
        var baseline = server.ResidentBytes();

        var clock = Stopwatch.StartNew();
        var latencies = await StreamAsync(streamer, healthy, first: 100, count: 1000);
        var streaming = clock.Elapsed;
        var growth = server.ResidentBytes() - baseline;

        output.WriteLine($"streamed 1000 x {FrameBytes} B in {streaming.TotalSeconds:F2} s; healthy viewers' latency max {latencies.Max().TotalMilliseconds:F1} ms; server RSS {baseline / 1048576.0:F1} MiB -> +{growth / 1048576.0:F1} MiB");
        streaming.Should().BeLessThan(TimeSpan.FromSeconds(15), "the streamer is never held back by the stalled viewer");
        // Held up behind the stalled viewer, healthy viewers would wait for the 5-minute send timeout;
        // the bound leaves room for a busy 2-core machine.
        latencies.Max().Should().BeLessThan(TimeSpan.FromSeconds(5), "healthy viewers get every frame promptly");
        growth.Should().BeLessThan(40L * 1024 * 1024, "about 60 MB went toward the stalled viewer, and the server keeps about one frame for it");
        Diagnostics(http, server)["frames_skipped"]!.GetValue<long>().Should().BeGreaterThan(0, "the stalled viewer skipped frames");
        stalled.Socket.Connected.Should().BeTrue();

        foreach (var viewer in healthy)
        {
            await viewer.DisposeAsync();
        }
    }

    [Fact]
    public async Task Viewer_stalled_past_the_send_timeout_is_disconnected()
    {
        await using var server = await ViewerTestServer.StartAsync(new Dictionary<string, string?> { ["Viewer:SendTimeout"] = "00:00:01" });
        var diagnostics = server.GetRequiredService<HubDiagnostics>();
        await using var healthy = await RawClient.ConnectAsync(server.WebSocket("ws/frame"));
        using var stalled = await StalledWebSocket.ConnectAsync(server.WebSocket("ws/frame"));
        await using var streamer = await RawClient.ConnectAsync(server.WebSocket("ws/frame?is_streamer=true"));
        await server.ViewersJoinedAsync(2);

        var clock = Stopwatch.StartNew();
        var seq = 0;
        while (diagnostics.ViewersEvicted == 0 && clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            await streamer.SendAsync(StampedFrame(seq++));
            await healthy.ReceiveAsync();
        }

        diagnostics.ViewersEvicted.Should().Be(1, "the viewer that never reads is cut off once one frame has waited past the timeout");
        await server.ViewersJoinedAsync(1);
        await streamer.SendAsync(StampedFrame(seq));
        (await healthy.ReceiveAsync()).Should().Contain($"\"seq\":{seq},", "the healthy viewer stays connected");
    }

    [Fact]
    public async Task Stalled_SignalR_viewer_does_not_delay_others_and_is_disconnected_after_the_send_timeout()
    {
        await using var server = await ViewerTestServer.StartAsync(new Dictionary<string, string?> { ["Viewer:SendTimeout"] = "00:00:01" });
        var diagnostics = server.GetRequiredService<HubDiagnostics>();
        await using var healthy = await SignalRClient.ConnectAsync(server, "hubs/frame", HubProtocolKind.Json);

        // A SignalR JSON client that completes the handshake and then never reads.
        using var stalled = await StalledWebSocket.ConnectAsync(server.WebSocket("hubs/frame"));
        await stalled.SendTextAsync("{\"protocol\":\"json\",\"version\":1}\u001e");
        await using var streamer = await RawClient.ConnectAsync(server.WebSocket("ws/frame?is_streamer=true"));
        await server.ViewersJoinedAsync(2);

        var clock = Stopwatch.StartNew();
        var seq = 0;
        while (diagnostics.ViewersEvicted == 0 && clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            await streamer.SendAsync(StampedFrame(seq));
            (await healthy.NextFrameAsync(TimeSpan.FromSeconds(5))).ToString().Should().Contain($"\"seq\":{seq},", "the healthy viewer gets every frame while the other one is stalled");
            seq++;
        }

        diagnostics.ViewersEvicted.Should().Be(1);
        await server.ViewersJoinedAsync(1);
    }

    [Fact]
    public async Task Viewer_that_falls_behind_skips_older_frames_and_ends_on_the_newest()
    {
        await using var server = await ViewerTestServer.StartAsync(new Dictionary<string, string?> { ["Viewer:SendTimeout"] = "00:01:00" });
        using var behind = await StalledWebSocket.ConnectAsync(server.WebSocket("ws/frame"));
        await using var streamer = await RawClient.ConnectAsync(server.WebSocket("ws/frame?is_streamer=true"));
        await server.ViewersJoinedAsync(1);

        const int sent = 400;
        for (var seq = 0; seq < sent; seq++)
        {
            await streamer.SendAsync(StampedFrame(seq));
        }

        // Now the viewer catches up: it reads whatever the server kept for it.
        var received = new List<int>();
        using var reading = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (received.LastOrDefault(-1) != sent - 1)
        {
            var (opcode, payload) = await behind.ReadFrameAsync(reading.Token);
            if (opcode == 1)
            {
                using var frame = JsonDocument.Parse(payload);
                received.Add(frame.RootElement.GetProperty("seq").GetInt32());
            }
        }

        received.Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
        received.Count.Should().BeLessThan(sent, "frames the viewer could not take in time were skipped");
        received[^1].Should().Be(sent - 1, "the newest frame always arrives");
    }

    [Fact]
    public async Task Viewer_that_falls_behind_keeps_the_newest_frame_of_every_environment()
    {
        await using var server = await ViewerTestServer.StartAsync(new Dictionary<string, string?> { ["Viewer:SendTimeout"] = "00:01:00" });
        using var behind = await StalledWebSocket.ConnectAsync(server.WebSocket("ws/frame"));
        await using var streamer = await RawClient.ConnectAsync(server.WebSocket("ws/frame?is_streamer=true"));
        await server.ViewersJoinedAsync(1);

        // Environment 1 streams steadily; environment 0 sends one frame in the middle of the backlog.
        const int rare = 150, last = 300;
        for (var seq = 0; seq <= last; seq++)
        {
            await streamer.SendAsync(StampedFrame(seq, env: seq == rare ? 0 : 1));
        }

        var received = new List<(int Seq, int Env)>();
        using var reading = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (received.Count == 0 || received[^1].Seq != last)
        {
            var (opcode, payload) = await behind.ReadFrameAsync(reading.Token);
            if (opcode == 1)
            {
                using var frame = JsonDocument.Parse(payload);
                received.Add((frame.RootElement.GetProperty("seq").GetInt32(), frame.RootElement.GetProperty("env_id").GetInt32()));
            }
        }

        received.Count.Should().BeLessThan(last + 1, "the viewer fell behind and skipped frames");
        received.Should().Contain((rare, 0), "environment 0's only frame is its newest, so newer frames of environment 1 never push it out");
        received.Select(frame => frame.Seq).Should().BeInAscendingOrder();
    }

    private static async Task<List<TimeSpan>> StreamAsync(RawClient streamer, List<RawClient> viewers, int first, int count)
    {
        var latencies = new List<TimeSpan>();
        var receiving = viewers.Select(viewer => Task.Run(async () =>
        {
            var own = new List<TimeSpan>();
            for (var expected = first; expected < first + count; expected++)
            {
                var text = await viewer.ReceiveAsync(TimeSpan.FromSeconds(30));
                using var frame = JsonDocument.Parse(text);
                frame.RootElement.GetProperty("seq").GetInt32().Should().Be(expected, "healthy viewers get every frame in order");
                own.Add(TimeSpan.FromTicks(Stopwatch.GetTimestamp() - frame.RootElement.GetProperty("t").GetInt64()) * (TimeSpan.TicksPerSecond / (double)Stopwatch.Frequency));
            }

            return own;
        })).ToList();

        for (var seq = first; seq < first + count; seq++)
        {
            await streamer.SendAsync(StampedFrame(seq));

            // Pacing, not waiting: a training loop streams at a rate, and the latency of healthy
            // viewers is measured at that rate rather than in one burst.
            await Task.Delay(2);
        }

        foreach (var viewer in await Task.WhenAll(receiving))
        {
            latencies.AddRange(viewer);
        }

        return latencies;
    }

    private static string StampedFrame(int seq, int env = 0)
    {
        var text = new StringBuilder($$"""{"seq":{{seq}},"t":{{Stopwatch.GetTimestamp()}},"env_id":{{env}},"x":{"pos":[""");
        var bodies = 0;
        while (text.Length < FrameBytes)
        {
            text.Append(bodies++ == 0 ? "" : ",").Append("[0.12345678901234567,1.2345678901234567,2.3456789012345678]");
        }

        return text.Append("],\"rot\":[").AppendJoin(',', Enumerable.Repeat("[1,0,0,0]", bodies)).Append("]}}").ToString();
    }

    private static JsonObject Diagnostics(HttpClient http, ServerProcess server) =>
        http.GetFromJsonAsync<JsonObject>(server.Http("api/diagnostics")).GetAwaiter().GetResult()!;
}
