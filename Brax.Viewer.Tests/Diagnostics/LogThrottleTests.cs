using Brax.Viewer.Hubs.Diagnostics;
using Microsoft.Extensions.Time.Testing;

namespace Brax.Viewer.Tests.Diagnostics;

public sealed class LogThrottleTests
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(10);
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void Five_reports_per_window_go_through_and_the_rest_are_suppressed()
    {
        var throttle = new LogThrottle(time: _time);

        var entered = Enumerable.Range(0, 50).Select(i => throttle.TryEnter(out _)).ToList();

        entered.Take(5).Should().AllBeEquivalentTo(true, "the first five reports of a window are logged");
        entered.Skip(5).Should().AllBeEquivalentTo(false, "the rest of the window is suppressed");
    }

    [Fact]
    public void A_new_window_lets_reports_through_again_and_its_first_report_counts_the_suppressed()
    {
        var throttle = new LogThrottle(time: _time);
        for (var i = 0; i < 12; i++)
        {
            throttle.TryEnter(out _);
        }

        _time.Advance(Window);

        throttle.TryEnter(out var suppressed).Should().BeTrue("the window has elapsed");
        suppressed.Should().Be(7, "12 reports came in the first window and 5 of them were logged");
        throttle.TryEnter(out var next).Should().BeTrue();
        next.Should().Be(0, "the suppressed count is reported once, by the first report of the new window");
    }

    [Fact]
    public void Reports_keep_going_through_window_after_window()
    {
        // The first windows once opened only at the start: after five reports nothing was ever logged again.
        var throttle = new LogThrottle(time: _time);
        for (var window = 0; window < 4; window++)
        {
            Enumerable.Range(0, 8).Count(i => throttle.TryEnter(out _)).Should().Be(5, "window {0} lets five through", window);
            _time.Advance(Window);
        }
    }

    [Fact]
    public void The_window_ends_exactly_when_its_length_has_elapsed()
    {
        var throttle = new LogThrottle(perWindow: 1, window: Window, time: _time);
        throttle.TryEnter(out _).Should().BeTrue();

        _time.Advance(Window - TimeSpan.FromTicks(1));
        throttle.TryEnter(out _).Should().BeFalse("one tick of the window is left");

        _time.Advance(TimeSpan.FromTicks(1));
        throttle.TryEnter(out var suppressed).Should().BeTrue("the window has elapsed to the tick");
        suppressed.Should().Be(1);
    }

    [Fact]
    public void A_quiet_window_reports_nothing_suppressed()
    {
        var throttle = new LogThrottle(time: _time);
        throttle.TryEnter(out _);
        _time.Advance(Window * 3);

        throttle.TryEnter(out var suppressed).Should().BeTrue();
        suppressed.Should().Be(0);
    }
}
