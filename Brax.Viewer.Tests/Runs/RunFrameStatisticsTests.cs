using Brax.Viewer.Client;
using Brax.Viewer.Hubs;
using Brax.Viewer.Hubs.Runs;
using Microsoft.Extensions.Time.Testing;

namespace Brax.Viewer.Tests.Runs;

/// <summary>The sliding window of a run's frame statistics, on a clock the test moves.</summary>
public sealed class RunFrameStatisticsTests
{
    private static readonly Frame Small = Frame.Parse("""{"x":{"pos":[[0,0,0]],"rot":[[1,0,0,0]]}}""");
    private static readonly Frame Large = Frame.Parse("""{"x":{"pos":[[0,0,0]],"rot":[[1,0,0,0]]},"pad":"0123456789012345678901234567890123456789"}""");
    private readonly FakeTimeProvider _time = new(DateTimeOffset.FromUnixTimeMilliseconds(1_764_300_000_000));

    [Fact]
    public void Frames_count_for_the_window_and_then_leave_it_while_the_newest_time_stays()
    {
        var statistics = new RunFrameStatistics(_time);
        for (var i = 0; i < 10; i++)
        {
            statistics.Observe(HubGroups.FrameViewers("r"), i % 2 == 0 ? Small : Large);
            _time.Advance(TimeSpan.FromMilliseconds(100));
        }

        var newest = _time.GetUtcNow().ToUnixTimeMilliseconds() - 100;
        statistics.TryRead("r", out var fresh).Should().BeTrue();
        fresh.FramesPerSecond.Should().Be(10 / RunDirectory.StatisticsWindow.TotalSeconds);
        fresh.BytesPerFrame.Should().Be((long)Math.Round((Small.Utf8Json.Length + Large.Utf8Json.Length) / 2.0, MidpointRounding.AwayFromZero));
        fresh.LastFrameUnixMs.Should().Be(newest);

        _time.Advance(RunDirectory.StatisticsWindow - TimeSpan.FromMilliseconds(1000));
        statistics.TryRead("r", out var halfGone).Should().BeTrue();
        halfGone.FramesPerSecond.Should().BeGreaterThan(0).And.BeLessThan(fresh.FramesPerSecond, "the oldest frames have left the window");

        _time.Advance(TimeSpan.FromSeconds(1));
        statistics.TryRead("r", out var gone).Should().BeTrue();
        gone.FramesPerSecond.Should().Be(0);
        gone.BytesPerFrame.Should().Be(0);
        gone.LastFrameUnixMs.Should().Be(newest);
    }

    [Fact]
    public void Observing_a_frame_of_a_known_run_allocates_nothing()
    {
        var statistics = new RunFrameStatistics(TimeProvider.System);
        var group = HubGroups.FrameViewers("hot");
        for (var i = 0; i < 1000; i++)
        {
            statistics.Observe(group, Small);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100_000; i++)
        {
            statistics.Observe(group, i % 2 == 0 ? Small : Large);
        }

        (GC.GetAllocatedBytesForCurrentThread() - before).Should().Be(0);
    }

    [Fact]
    public void Runs_are_kept_apart_and_only_idle_ones_not_kept_are_forgotten()
    {
        var statistics = new RunFrameStatistics(_time);
        statistics.Observe(HubGroups.FrameViewers("idle"), Small);
        statistics.Observe(HubGroups.FrameViewers("watched"), Small);
        _time.Advance(TimeSpan.FromSeconds(10));
        statistics.Observe(HubGroups.FrameViewers("busy"), Large);

        var forgotten = statistics.ForgetIdle(TimeSpan.FromSeconds(10), run => run == "watched");

        forgotten.Should().Equal("idle");
        statistics.ReadAll().Keys.Should().BeEquivalentTo("watched", "busy");
        statistics.Observe(HubGroups.FrameViewers("idle"), Small);
        statistics.TryRead("idle", out var again).Should().BeTrue("a forgotten run that streams again is counted anew");
        again.LastFrameUnixMs.Should().Be(_time.GetUtcNow().ToUnixTimeMilliseconds());
    }
}
