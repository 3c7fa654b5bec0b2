using Brax.Viewer.Hubs.Diagnostics;
using Brax.Viewer.Hubs.Fanout;
using Brax.Viewer.Tests.Infrastructure;
using StackExchange.Redis;

namespace Brax.Viewer.Tests.ScaleOut;

public sealed class SlowRedisTests : IAsyncLifetime
{
    private const int FrameBytes = 32 * 1024;
    private ScaleOutCluster _cluster = null!;

    // A budget of a few frames, so a Redis that stops answering for a second exceeds it.
    public async Task InitializeAsync() => _cluster = await ScaleOutCluster.StartAsync(2, new Dictionary<string, string?> { ["Viewer:Redis:MaxPublishBacklogBytes"] = (4 * FrameBytes).ToString() });

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Redis_that_falls_behind_is_skipped_like_a_slow_viewer_and_gets_the_newest_frame_after()
    {
        var (a, b) = (_cluster.A, _cluster.B);
        await using var viewerA = await RawClient.ConnectAsync(a.WebSocket("ws/frame"));
        await using var viewerB = await RawClient.ConnectAsync(b.WebSocket("ws/frame"));
        await Eventually.HoldsAsync(() => a.GetRequiredService<HubDiagnostics>().ViewerMemberships == 1 && b.GetRequiredService<HubDiagnostics>().ViewerMemberships == 1, "viewers joined");
        await using var streamer = await RawClient.ConnectAsync(a.WebSocket("ws/frame?is_streamer=true"));

        // Redis stops answering for a second while 40 frames are streamed. CLIENT PAUSE answers once
        // the pause is in force, so the frames are certain to meet a Redis that holds every command
        // (DEBUG SLEEP gave no sign of when its sleep began, so the test had to guess with a delay).
        await using var admin = await ConnectionMultiplexer.ConnectAsync(_cluster.Redis.ConnectionString + ",allowAdmin=true");
        await admin.GetDatabase().ExecuteAsync("CLIENT", "PAUSE", "1000", "ALL");

        // Each frame goes once the local viewer has the one before: a Redis that keeps up then has
        // about one frame in flight and nothing is skipped, so the skips below are the stall's doing
        // (a burst of 40 would overrun the 4-frame budget even with Redis answering).
        for (var number = 1; number <= 40; number++)
        {
            await streamer.SendAsync(TestFrames.Numbered(number, FrameBytes));
            TestFrames.NumberOf(await viewerA.ReceiveBytesAsync(TimeSpan.FromSeconds(2))).Should().Be(number, "local viewers get every frame while Redis stalls");
        }

        a.GetRequiredService<HubDiagnostics>().FramesSkipped.Should().BeGreaterThan(0, "frames beyond the budget skipped the other instance instead of queueing");

        // Once the pause ends and what was in flight has drained, B gets the newest frames again; the
        // loop sends until it does, so it takes as long as Redis takes and no longer.
        var sent = 40;
        var received = 0;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (received != sent)
        {
            DateTime.UtcNow.Should().BeBefore(deadline, "B gets the newest frame once Redis keeps up again");
            await streamer.SendAsync(TestFrames.Numbered(++sent, FrameBytes));
            try
            {
                while (received != sent)
                {
                    received = TestFrames.NumberOf(await viewerB.ReceiveBytesAsync(TimeSpan.FromMilliseconds(300)));
                }
            }
            catch (OperationCanceledException)
            {
            }
        }
    }
}
