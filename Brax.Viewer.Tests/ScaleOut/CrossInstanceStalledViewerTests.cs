using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Brax.Viewer.Hubs.Diagnostics;
using Brax.Viewer.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Brax.Viewer.Tests.ScaleOut;

[Collection(MeasuringGroup.Name)]
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
        await Eventually.HoldsAsync(() => b.GetRequiredService<HubDiagnostics>().FrameViewers == 3, "3 viewers are connected to B");
        await using var streamer = await RawClient.ConnectAsync(a.WebSocket("ws/frame?is_streamer=true"));

        // Small frames first, until one crosses to both: the viewers have joined and the path is warm.
        var warm = false;
        for (var attempt = 0; !warm && attempt < 50; attempt++)
        {
            await streamer.SendAsync(TestFrames.Numbered(0));
            warm = await CrossedAsync(() => raw.ReceiveAsync(TimeSpan.FromMilliseconds(200))) && await CrossedAsync(async () => (await json.NextFrameAsync(TimeSpan.FromMilliseconds(200))).ToString());
        }

        warm.Should().BeTrue("frames cross from A to B");

        var slowest = TimeSpan.Zero;
        var clock = Stopwatch.StartNew();
        for (var number = 1; number <= Frames; number++)
        {
            var sent = Stopwatch.StartNew();
            await streamer.SendAsync(TestFrames.Numbered(number, FrameBytes));
            (await NextNumberAsync(async () => TestFrames.NumberOf(await raw.ReceiveBytesAsync(TimeSpan.FromSeconds(5))))).Should().Be(number, "the raw viewer on B gets every frame, in order");
            (await NextNumberAsync(async () => TestFrames.NumberOf((await json.NextFrameAsync(TimeSpan.FromSeconds(5))).ToString()))).Should().Be(number, "the JSON viewer on B gets every frame, in order");
            slowest = sent.Elapsed > slowest ? sent.Elapsed : slowest;
        }

        output.WriteLine($"{Frames} x {FrameBytes} B from A to B in {clock.Elapsed.TotalSeconds:F2} s; slowest frame {slowest.TotalMilliseconds:F0} ms");
        slowest.Should().BeLessThan(TimeSpan.FromSeconds(2), "a viewer that never reads must not hold up the others on its instance");
        b.GetRequiredService<HubDiagnostics>().FramesSkipped.Should().BeGreaterThan(0, "the stalled viewer skipped frames instead of queueing them");
        stalled.Socket.Connected.Should().BeTrue();
        using var http = new HttpClient();
        (await http.GetFromJsonAsync<JsonObject>(b.Http("api/diagnostics")))!["frame_viewers"]!.GetValue<long>().Should().Be(3);
    }

    private static async Task<bool> CrossedAsync(Func<Task<string>> receive)
    {
        try
        {
            await receive();
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    // The next frame number, past any warm-up frames still on their way.
    private static async Task<int> NextNumberAsync(Func<Task<int>> receive)
    {
        int number;
        while ((number = await receive()) == 0)
        {
        }

        return number;
    }
}
