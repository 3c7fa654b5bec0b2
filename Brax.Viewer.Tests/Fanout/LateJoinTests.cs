using System.Text.Json;
using Brax.Viewer.Client;
using Brax.Viewer.Tests.Infrastructure;
using Brax.Viewer.Tests.ScaleOut;

namespace Brax.Viewer.Tests.Fanout;

/// <summary>
/// A viewer that joins a run that has frames is shown the newest frame of every environment at
/// once, on raw and SignalR paths, then the live stream behind it: never an older frame after a
/// newer one, never a frame twice.
/// </summary>
public sealed class LateJoinTests : IAsyncLifetime
{
    private ViewerTestServer _server = null!;

    public async Task InitializeAsync() => _server = await ViewerTestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task A_raw_viewer_joining_a_single_environment_stream_gets_the_newest_frame_then_the_live_ones()
    {
        await using var streamer = await RawClient.ConnectAsync(_server.WebSocket("ws/frame?is_streamer=true&run=late-single"));
        for (var number = 1; number <= 5; number++)
        {
            await streamer.SendAsync(TestFrames.Numbered(number));
        }

        await WaitUntilStoredAsync("late-single", 5);
        await using var late = await RawClient.ConnectAsync(_server.WebSocket("ws/frame?run=late-single"));

        (await late.ReceiveAsync(TimeSpan.FromSeconds(2))).Should().Be(TestFrames.Numbered(5), "the newest frame is shown at once");
        await streamer.SendAsync(TestFrames.Numbered(6));
        (await late.ReceiveAsync()).Should().Be(TestFrames.Numbered(6));
    }

    [Fact]
    public async Task A_raw_viewer_joining_a_batched_stream_gets_the_newest_frame_of_every_environment()
    {
        await using var streamer = await RawClient.ConnectAsync(_server.WebSocket("ws/frame?is_streamer=true&run=late-batched"));
        for (var number = 1; number <= 20; number++)
        {
            await streamer.SendAsync(TestFrames.OfEnv(number, env: number % 4));
        }

        await WaitUntilStoredAsync("late-batched", 20);
        await using var late = await RawClient.ConnectAsync(_server.WebSocket("ws/frame?run=late-batched"));

        var shown = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            shown.Add(await late.ReceiveAsync(TimeSpan.FromSeconds(2)));
        }

        shown.Should().BeEquivalentTo(Enumerable.Range(17, 4).Select(number => TestFrames.OfEnv(number, env: number % 4)));
        await late.ExpectNothingAsync(TimeSpan.FromMilliseconds(200));
    }

    [Theory]
    [InlineData(HubProtocolKind.Json)]
    [InlineData(HubProtocolKind.MessagePack)]
    public async Task A_SignalR_viewer_joining_late_gets_the_newest_frame_of_every_environment(HubProtocolKind protocol)
    {
        var run = "late-signalr-" + protocol;
        await using var streamer = await RawClient.ConnectAsync(_server.WebSocket($"ws/frame?is_streamer=true&run={run}"));
        for (var number = 1; number <= 6; number++)
        {
            await streamer.SendAsync(TestFrames.OfEnv(number, env: number % 2));
        }

        await WaitUntilStoredAsync(run, 6);
        await using var late = await SignalRClient.ConnectAsync(_server, $"{FrameHubContract.Path}?run={run}", protocol);

        var shown = new[] { await late.NextFrameAsync(), await late.NextFrameAsync() };
        shown.Select(frame => TestFrames.NumberOf(frame.ToString())).Should().BeEquivalentTo([5, 6]);
    }

    [Fact]
    public async Task A_viewer_that_reconnects_is_shown_the_newest_frames_again()
    {
        await using var streamer = await RawClient.ConnectAsync(_server.WebSocket("ws/frame?is_streamer=true&run=late-again"));
        await streamer.SendAsync(TestFrames.Numbered(1));
        await WaitUntilStoredAsync("late-again", 1);

        await using (var first = await RawClient.ConnectAsync(_server.WebSocket("ws/frame?run=late-again")))
        {
            (await first.ReceiveAsync()).Should().Be(TestFrames.Numbered(1));
        }

        await using var again = await RawClient.ConnectAsync(_server.WebSocket("ws/frame?run=late-again"));
        (await again.ReceiveAsync()).Should().Be(TestFrames.Numbered(1));
    }

    [Fact]
    public async Task Viewers_joining_during_a_live_stream_never_see_an_older_frame_after_a_newer_one_nor_one_twice()
    {
        await using var streamer = await RawClient.ConnectAsync(_server.WebSocket("ws/frame?is_streamer=true&run=late-race"));
        using var streaming = new CancellationTokenSource();
        var sending = Task.Run(async () =>
        {
            for (var number = 1; !streaming.IsCancellationRequested; number++)
            {
                await streamer.SendAsync(TestFrames.OfEnv(number, env: number % 4));
                if (number % 8 == 0)
                {
                    await Task.Delay(1);
                }
            }
        });

        try
        {
            for (var joiner = 0; joiner < 20; joiner++)
            {
                await using var viewer = await RawClient.ConnectAsync(_server.WebSocket("ws/frame?run=late-race"));
                var lastByEnv = new Dictionary<int, int>();
                for (var i = 0; i < 40; i++)
                {
                    using var frame = JsonDocument.Parse(await viewer.ReceiveAsync());
                    var env = frame.RootElement.GetProperty("env_id").GetInt32();
                    var number = frame.RootElement.GetProperty("seq").GetInt32();
                    if (lastByEnv.TryGetValue(env, out var last))
                    {
                        number.Should().BeGreaterThan(last, "viewer {0} saw frame {1} of environment {2} after frame {3}", joiner, number, env, last);
                    }

                    lastByEnv[env] = number;
                }
            }
        }
        finally
        {
            await streaming.CancelAsync();
            await sending;
        }
    }

    // The streamer's sends return before the server has read them: wait until the run's newest frame is the last one sent.
    private Task WaitUntilStoredAsync(string run, int lastNumber) => Eventually.HoldsAsync(
        () => _server.GetRequiredService<Brax.Viewer.Hubs.Fanout.ViewerGroups>().Newest(Brax.Viewer.Hubs.HubGroups.FrameViewers(run)).Any(frame => TestFrames.NumberOf(frame.ToString()) == lastNumber),
        $"frame {lastNumber} reached the server");
}
