using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Brax.Viewer.Hubs.Diagnostics;
using Brax.Viewer.Hubs.Fanout;
using Brax.Viewer.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Brax.Viewer.Tests.ScaleOut;

public sealed class CrossInstanceStalledViewerTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int FrameBytes = 512 * 1024;
    private const int Frames = 64; // 32 MiB toward the viewer that never reads
    private ScaleOutCluster _cluster = null!;

    // No eviction during the test: the stalled viewer stays, and must still cost the others nothing.
    public async Task InitializeAsync() => _cluster = await ScaleOutCluster.StartAsync(2, new Dictionary<string, string?> { ["Viewer:SendTimeout"] = "00:05:00" });

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Stalled_viewer_on_another_instance_does_not_delay_the_other_viewers_there()
    {
        var (a, b) = (_cluster.A, _cluster.B);
        using var stalled = await StalledWebSocket.ConnectAsync(b.WebSocket("ws/frame"));
        await using var raw = await RawClient.ConnectAsync(b.WebSocket("ws/frame"));
        await using var json = await SignalRClient.ConnectAsync(b, "hubs/frame", HubProtocolKind.Json);
        await Eventually.HoldsAsync(() => b.GetRequiredService<ViewerGroups>().MembershipCount == 3, "3 viewers joined on B");
        await using var streamer = await RawClient.ConnectAsync(a.WebSocket("ws/frame?is_streamer=true"));

        var slowest = TimeSpan.Zero;
        var clock = Stopwatch.StartNew();
        for (var number = 1; number <= Frames; number++)
        {
            var sent = Stopwatch.StartNew();
            await streamer.SendAsync(TestFrames.Numbered(number, FrameBytes));
            TestFrames.NumberOf(await raw.ReceiveBytesAsync(TimeSpan.FromSeconds(5))).Should().Be(number, "the raw viewer on B gets every frame, in order");
            TestFrames.NumberOf((await json.NextFrameAsync(TimeSpan.FromSeconds(5))).ToString()).Should().Be(number, "the JSON viewer on B gets every frame, in order");
            slowest = sent.Elapsed > slowest ? sent.Elapsed : slowest;
        }

        output.WriteLine($"{Frames} x {FrameBytes} B from A to B in {clock.Elapsed.TotalSeconds:F2} s; slowest frame {slowest.TotalMilliseconds:F0} ms");
        slowest.Should().BeLessThan(TimeSpan.FromSeconds(2), "a viewer that never reads must not hold up the others on its instance");
        b.GetRequiredService<HubDiagnostics>().FramesSkipped.Should().BeGreaterThan(0, "the stalled viewer skipped frames instead of queueing them");
        stalled.Socket.Connected.Should().BeTrue();
        using var http = new HttpClient();
        (await http.GetFromJsonAsync<JsonObject>(b.Http("api/diagnostics")))!["frame_viewers"]!.GetValue<long>().Should().Be(3);
    }
}
