using System.Net;
using System.Text;
using Brax.Viewer.Hubs.Runs;
using Brax.Viewer.Tests.Infrastructure;
using Brax.Viewer.Tests.Runs;

namespace Brax.Viewer.Tests.ScaleOut;

/// <summary>
/// Two instances on one real Redis: each keeps the history of frames streamed to the other, and a
/// replay on one reaches the viewers of the other, like a streamer's frames.
/// </summary>
public sealed class CrossInstanceHistoryTests : IAsyncLifetime
{
    private ScaleOutCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await ScaleOutCluster.StartAsync(2);

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task An_instance_keeps_the_frames_streamed_to_another_in_its_history()
    {
        var sent = Enumerable.Range(1, 20).Select(number => TestFrames.Numbered(number)).ToList();
        await using (var streamer = await RawClient.ConnectAsync(_cluster.A.WebSocket("ws/frame?is_streamer=true&run=relayed")))
        {
            foreach (var frame in sent)
            {
                await streamer.SendAsync(frame);
            }

            await RecordingApiTests.HistoryHoldsAsync(_cluster.B, "relayed", sent.Count);
        }

        var recorded = Recording.Parse(await _cluster.B.Client.GetByteArrayAsync("api/runs/relayed/recording"));

        recorded.Select(line => line.Frame).Should().Equal(sent, "the relayed frames are kept byte for byte, in order");
    }

    [Fact]
    public async Task A_replay_on_one_instance_reaches_the_viewers_of_another()
    {
        await using var viewer = await RawClient.ConnectAsync(_cluster.B.WebSocket("ws/frame?run=replayed-across"));
        await _cluster.B.ViewersJoinedAsync(1);
        var frames = Enumerable.Range(1, 10).Select(number => TestFrames.Numbered(number)).ToList();
        var recording = string.Concat(frames.Select((frame, i) => $$"""{"t":{{i * 10}},"frame":{{frame}}}""" + "\n"));
        using var content = new StringContent(recording, Encoding.UTF8, "application/x-ndjson");

        using var response = await _cluster.A.Client.PostAsync("api/runs/replayed-across/replay?speed=4", content);
        var received = new List<string>();
        for (var i = 0; i < frames.Count; i++)
        {
            received.Add(await viewer.ReceiveAsync());
        }

        response.StatusCode.Should().Be(HttpStatusCode.Accepted);
        received.Should().Equal(frames, "the replay's frames cross to the other instance like a streamer's");
        await RecordingApiTests.HistoryHoldsAsync(_cluster.B, "replayed-across", frames.Count);
        _cluster.B.GetRequiredService<ReplayRunner>().IsReplaying("replayed-across").Should().BeFalse("the replay runs on the instance that took it");
    }
}
