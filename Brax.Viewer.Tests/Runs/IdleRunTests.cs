using Brax.Viewer.Hubs.Runs;
using Brax.Viewer.Tests.Infrastructure;
using Brax.Viewer.Tests.ScaleOut;

namespace Brax.Viewer.Tests.Runs;

/// <summary>A run nobody uses any more is forgotten after <c>Viewer:IdleRunTimeout</c>, here set short through configuration.</summary>
public sealed class IdleRunTests : IAsyncLifetime
{
    private static readonly TimeSpan IdleRunTimeout = TimeSpan.FromSeconds(1);
    private ViewerTestServer _server = null!;

    public async Task InitializeAsync() =>
        // A run with frames in its history is kept for them: the history window is as short as the timeout.
        _server = await ViewerTestServer.StartAsync(new Dictionary<string, string?> { ["Viewer:IdleRunTimeout"] = IdleRunTimeout.ToString(), ["Viewer:HistoryWindow"] = IdleRunTimeout.ToString() });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task A_run_without_clients_or_scene_is_forgotten_once_its_frames_are_idle_for_the_timeout()
    {
        const string run = "idle";
        await using (var streamer = await RawClient.ConnectAsync(_server.WebSocket($"ws/frame?run={run}&is_streamer=true")))
        {
            await streamer.SendAsync(TestFrames.Numbered(1));
            await Eventually.HoldsAsync(async () => (await _server.FindRunAsync(run))?["last_frame_ms"] is not null, "the frame is seen");
        }

        await _server.CountsBecomeAsync(run, viewers: 0, streamers: 0);
        var lastFrameMs = (await _server.ListedAsync(run))!["last_frame_ms"]!.GetValue<long>();

        await _server.GoneAsync(run);

        // By the server's own time of the frame: the run goes no sooner than the timeout after it.
        (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - lastFrameMs).Should().BeGreaterThanOrEqualTo((long)IdleRunTimeout.TotalMilliseconds, "a run is kept for the idle timeout");
        await Eventually.HoldsAsync(() => !_server.GetRequiredService<RunFrameStatistics>().ReadAll().ContainsKey(run), "what the server remembered of the run is gone too", IdleRunTimeout);
    }

    [Fact]
    public async Task A_run_with_a_viewer_keeps_its_newest_frame_time_past_the_timeout()
    {
        const string run = "watched";
        await using var viewer = await RawClient.ConnectAsync(_server.WebSocket($"ws/frame?run={run}"));
        await using (var streamer = await RawClient.ConnectAsync(_server.WebSocket($"ws/frame?run={run}&is_streamer=true")))
        {
            await streamer.SendAsync(TestFrames.Numbered(1));
            await viewer.ReceiveAsync();
        }

        var lastFrameMs = (await _server.FindRunAsync(run))!["last_frame_ms"]!.GetValue<long>();

        // Long enough for several sweeps to have passed over the idle run.
        await Eventually.HoldsAsync(() => _server.GetRequiredService<RunFrameStatistics>().TryRead(run, out var seen) && seen.SinceLastFrame > IdleRunTimeout * 2, "the run's frames are idle for twice the timeout");
        var listed = await _server.ListedAsync(run);

        listed.Should().NotBeNull();
        listed!["viewers"]!.GetValue<int>().Should().Be(1);
        listed["last_frame_ms"]!.GetValue<long>().Should().Be(lastFrameMs);
    }
}
