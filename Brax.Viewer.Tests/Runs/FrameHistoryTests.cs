using Brax.Viewer.Client;
using Brax.Viewer.Hubs;
using Brax.Viewer.Hubs.Fanout;
using Brax.Viewer.Hubs.Runs;
using Brax.Viewer.Tests.Infrastructure;
using Brax.Viewer.Tests.ScaleOut;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Brax.Viewer.Tests.Runs;

/// <summary>The history's bookkeeping, on a clock the tests move: its bounds, its order, and what it holds when it holds nothing.</summary>
public sealed class FrameHistoryTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.FromUnixTimeMilliseconds(1_800_000_000_000));
    private readonly List<FrameHistory> _histories = [];

    public void Dispose()
    {
        foreach (var history in _histories)
        {
            history.Dispose();
        }
    }

    [Fact]
    public void Frames_older_than_the_window_go_on_the_sweep_without_any_new_frame()
    {
        var history = Create(window: TimeSpan.FromSeconds(10));
        Observe(history, "a", Frame.Parse(TestFrames.Numbered(1)));
        _time.Advance(TimeSpan.FromSeconds(6));
        Observe(history, "a", Frame.Parse(TestFrames.Numbered(2)));

        _time.Advance(TimeSpan.FromSeconds(5));

        history.Size.Frames.Should().Be(1, "the sweep dropped the frame that is now 11 s old and kept the 5 s old one");
        _time.Advance(TimeSpan.FromSeconds(6));
        history.Size.Should().Be(default(FrameHistorySize), "a run that stopped streaming drains completely");
        history.SizeOf("a").Should().Be(default(FrameHistorySize));
    }

    [Fact]
    public void Past_the_byte_bound_the_oldest_frames_of_any_run_go_first()
    {
        // Numbers of three digits: every frame has the same length.
        var frame = Frame.Parse(TestFrames.Numbered(100, padBytes: 900));
        var bound = frame.Utf8Json.Length * 10L;
        var history = Create(maxBytes: bound);

        for (var i = 100; i < 200; i++)
        {
            Observe(history, i % 2 == 0 ? "a" : "b", Frame.Parse(TestFrames.Numbered(i, padBytes: 900)));
            _time.Advance(TimeSpan.FromMilliseconds(1));
            history.Size.Bytes.Should().BeLessThanOrEqualTo(bound, "the bound holds after every frame");
        }

        history.Size.Frames.Should().Be(10);
        var kept = history.Read("a").Concat(history.Read("b")).Select(recorded => TestFrames.NumberOf(recorded.Frame.ToString())).Order();
        kept.Should().Equal(Enumerable.Range(190, 10), "the newest ten frames stay, whichever run they belong to");
        history.SizeOf("a").Should().Be(new FrameHistorySize(5, 5 * frame.Utf8Json.Length));
    }

    [Fact]
    public void A_run_keeps_the_frame_objects_that_arrived_with_their_server_time_and_reads_them_by_time()
    {
        var history = Create();
        var frames = Enumerable.Range(0, 5).Select(i => Frame.Parse(TestFrames.Numbered(i))).ToList();
        var start = _time.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var frame in frames)
        {
            Observe(history, "a", frame);
            Observe(history, "other", Frame.Parse(TestFrames.Numbered(99)));
            _time.Advance(TimeSpan.FromMilliseconds(100));
        }

        var all = history.Read("a");
        all.Select(recorded => recorded.Frame).Should().Equal(frames, ReferenceEquals, "the history keeps the frames themselves, not copies");
        all.Select(recorded => recorded.TimeMs).Should().Equal(Enumerable.Range(0, 5).Select(i => start + (i * 100L)));
        history.Read("a", fromMs: start + 100, toMs: start + 300).Select(recorded => recorded.Frame).Should().Equal(frames[1..4], ReferenceEquals, "from and to are inclusive");
        history.Read("a", fromMs: start + 101).Should().HaveCount(3);
        history.Read("a", toMs: start - 1).Should().BeEmpty();
        history.Read("never-streamed").Should().BeEmpty();
    }

    [Fact]
    public void A_clock_that_steps_back_does_not_reorder_the_history()
    {
        var clock = new SteppingClock { UtcNow = _time.GetUtcNow() };
        using var history = new FrameHistory(Options.Create(new HistoryOptions()), clock, DetachedMetrics.Create());
        Observe(history, "a", Frame.Parse(TestFrames.Numbered(1)));
        clock.UtcNow -= TimeSpan.FromSeconds(5);
        Observe(history, "a", Frame.Parse(TestFrames.Numbered(2)));

        var times = history.Read("a").Select(recorded => recorded.TimeMs).ToList();

        times.Should().HaveCount(2).And.BeInAscendingOrder();
    }

    [Fact]
    public void Only_frames_of_a_runs_viewer_group_are_kept()
    {
        var history = Create();

        ((IFrameObserver)history).Observe(HubGroups.Control("a"), Frame.Parse(TestFrames.Numbered(1)));

        history.Size.Frames.Should().Be(0);
    }

    [Fact]
    public void A_frame_larger_than_the_whole_bound_is_not_kept_and_empties_nothing()
    {
        var small = Frame.Parse(TestFrames.Numbered(1));
        var history = Create(maxBytes: 1000);
        Observe(history, "a", small);

        Observe(history, "a", Frame.Parse(TestFrames.Numbered(2, padBytes: 2000)));

        history.Read("a").Select(recorded => recorded.Frame).Should().Equal([small], ReferenceEquals);
    }

    [Theory]
    [InlineData(0, 1_000_000)]
    [InlineData(10_000, 0)]
    public void A_zero_bound_keeps_no_history(int windowMs, long maxBytes)
    {
        var history = Create(TimeSpan.FromMilliseconds(windowMs), maxBytes);

        Observe(history, "a", Frame.Parse(TestFrames.Numbered(1)));

        history.IsEnabled.Should().BeFalse();
        history.Size.Should().Be(default(FrameHistorySize));
    }

    [Fact]
    public void Keeping_frames_at_the_bound_allocates_nothing()
    {
        var frame = Frame.Parse(TestFrames.Numbered(1, padBytes: 1000));
        var history = Create(maxBytes: frame.Utf8Json.Length * 500L);
        var group = HubGroups.FrameViewers("steady");
        IFrameObserver observer = history;

        // Past the bound, so the ring has grown to its size and every frame drops one.
        for (var i = 0; i < 2000; i++)
        {
            observer.Observe(group, frame);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++)
        {
            observer.Observe(group, frame);
            _time.Advance(TimeSpan.FromTicks(TimeSpan.TicksPerMillisecond / 10));
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        allocated.Should().Be(0, "a frame kept in steady state takes a slot of the ring and nothing else");
        history.Size.Frames.Should().Be(500);
    }

    private FrameHistory Create(TimeSpan? window = null, long maxBytes = 1 << 30)
    {
        var history = new FrameHistory(
            Options.Create(new HistoryOptions { HistoryWindow = window ?? TimeSpan.FromMinutes(1), HistoryMaxBytes = maxBytes }),
            _time,
            DetachedMetrics.Create());
        _histories.Add(history);
        return history;
    }

    private static void Observe(FrameHistory history, string run, Frame frame) =>
        ((IFrameObserver)history).Observe(HubGroups.FrameViewers(run), frame);

    /// <summary>A wall clock that an administrator (or NTP) may set back, as FakeTimeProvider may not.</summary>
    private sealed class SteppingClock : TimeProvider
    {
        public DateTimeOffset UtcNow { get; set; }

        public override DateTimeOffset GetUtcNow() => UtcNow;
    }
}
