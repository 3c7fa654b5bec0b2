using System.Diagnostics.Metrics;
using System.Text.Json;
using Brax.Viewer.Client;
using Brax.Viewer.Hubs.Diagnostics;
using Brax.Viewer.Hubs.Fanout;
using Brax.Viewer.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;

namespace Brax.Viewer.Tests.Fanout;

/// <summary>
/// One viewer's mailbox over a real hub connection whose writes complete only when the test reads
/// them: the test offers frames while the first write is held, so the backlog holds exactly what
/// the offers left in it, then reads what the viewer gets.
/// </summary>
public sealed class ViewerMailboxTests : IDisposable
{
    private const int Roomy = 1 << 30;

    private readonly HubDiagnostics _diagnostics = new();
    private readonly ServiceProvider _meters = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly ViewerMetrics _metrics;

    public ViewerMailboxTests() => _metrics = new ViewerMetrics(_meters.GetRequiredService<IMeterFactory>(), new HubDiagnostics());

    public void Dispose() => _meters.Dispose();

    [Fact]
    public async Task Viewer_that_keeps_up_gets_every_frame_in_order()
    {
        var viewer = new InMemoryHubConnection(holdWrites: false);
        var mailbox = new ViewerMailbox(viewer.Context, _diagnostics, _metrics, maxQueuedFrames: 4, maxQueuedBytes: Roomy);

        for (var seq = 1; seq <= 200; seq++)
        {
            Offer(mailbox, Numbered(seq));
        }

        (await DeliveredAsync(viewer, mailbox, 200)).Should().Equal(Enumerable.Range(1, 200));
        _diagnostics.FramesSkipped.Should().Be(0);
    }

    [Fact]
    public async Task Burst_that_fits_the_backlog_is_delivered_whole_and_in_order()
    {
        var viewer = new InMemoryHubConnection(holdWrites: true);
        var mailbox = new ViewerMailbox(viewer.Context, _diagnostics, _metrics, maxQueuedFrames: 4, maxQueuedBytes: Roomy);

        // One write in flight and four waiting: exactly the bound.
        for (var seq = 1; seq <= 5; seq++)
        {
            Offer(mailbox, Numbered(seq));
        }

        (await DeliveredAsync(viewer, mailbox, 5)).Should().Equal(1, 2, 3, 4, 5);
        _diagnostics.FramesSkipped.Should().Be(0);
    }

    [Fact]
    public async Task Past_the_frame_bound_the_oldest_waiting_frames_give_way_and_the_newest_arrive()
    {
        var viewer = new InMemoryHubConnection(holdWrites: true);
        var mailbox = new ViewerMailbox(viewer.Context, _diagnostics, _metrics, maxQueuedFrames: 4, maxQueuedBytes: Roomy);

        for (var seq = 1; seq <= 10; seq++)
        {
            Offer(mailbox, Numbered(seq));
        }

        (await DeliveredAsync(viewer, mailbox, 5)).Should().Equal([1, 7, 8, 9, 10], "frame 1 was being written; 2-6 were pushed out by newer frames");
        _diagnostics.FramesSkipped.Should().Be(5);
    }

    [Fact]
    public async Task Past_the_byte_bound_the_oldest_waiting_frames_give_way()
    {
        var size = Numbered(1).Utf8Json.Length;
        var viewer = new InMemoryHubConnection(holdWrites: true);
        var mailbox = new ViewerMailbox(viewer.Context, _diagnostics, _metrics, maxQueuedFrames: 64, maxQueuedBytes: 3 * size);

        for (var seq = 1; seq <= 8; seq++)
        {
            Offer(mailbox, Numbered(seq));
        }

        (await DeliveredAsync(viewer, mailbox, 4)).Should().Equal([1, 6, 7, 8], "three frames' worth of bytes may wait, far fewer than the frame bound");
        _diagnostics.FramesSkipped.Should().Be(4);
    }

    [Fact]
    public async Task Frame_larger_than_the_byte_bound_still_gets_in_and_pushes_out_everything_waiting()
    {
        var size = Numbered(1).Utf8Json.Length;
        var viewer = new InMemoryHubConnection(holdWrites: true);
        var mailbox = new ViewerMailbox(viewer.Context, _diagnostics, _metrics, maxQueuedFrames: 64, maxQueuedBytes: 3 * size);
        var large = Numbered(4, padding: 5 * size);
        large.Utf8Json.Length.Should().BeGreaterThan(3 * size);

        Offer(mailbox, Numbered(1));
        Offer(mailbox, Numbered(2));
        Offer(mailbox, Numbered(3));
        Offer(mailbox, large);

        (await DeliveredAsync(viewer, mailbox, 2)).Should().Equal([1, 4], "the arriving frame always gets in, however large");
        _diagnostics.FramesSkipped.Should().Be(2);
    }

    [Fact]
    public async Task Newer_frame_of_an_environment_pushes_out_that_environments_oldest_so_a_rare_environment_is_not_starved()
    {
        var viewer = new InMemoryHubConnection(holdWrites: true);
        var mailbox = new ViewerMailbox(viewer.Context, _diagnostics, _metrics, maxQueuedFrames: 4, maxQueuedBytes: Roomy);

        // Environment 1 sends one frame, early; environment 0 streams on and on.
        Offer(mailbox, Numbered(1, env: 0));
        Offer(mailbox, Numbered(2, env: 1));
        for (var seq = 3; seq <= 20; seq++)
        {
            Offer(mailbox, Numbered(seq, env: 0));
        }

        (await DeliveredAsync(viewer, mailbox, 5)).Should().Equal(
            [1, 2, 18, 19, 20],
            "frame 2, the oldest waiting, is environment 1's newest; each newer frame of environment 0 pushed out environment 0's oldest instead");
        _diagnostics.FramesSkipped.Should().Be(15);
    }

    [Fact]
    public async Task Frame_superseded_by_a_waiting_frame_of_its_environment_goes_before_an_older_frame_that_is_its_environments_newest()
    {
        var viewer = new InMemoryHubConnection(holdWrites: true);
        var mailbox = new ViewerMailbox(viewer.Context, _diagnostics, _metrics, maxQueuedFrames: 4, maxQueuedBytes: Roomy);

        Offer(mailbox, Numbered(1, env: 9));
        Offer(mailbox, Numbered(2, env: 1));
        Offer(mailbox, Numbered(3, env: 0));
        Offer(mailbox, Numbered(4, env: 2));
        Offer(mailbox, Numbered(5, env: 0));
        Offer(mailbox, Numbered(6, env: 3));

        (await DeliveredAsync(viewer, mailbox, 5)).Should().Equal(
            [1, 2, 4, 5, 6],
            "environment 3's arrival makes room; frame 3 is the oldest frame that a newer one (5, environment 0) supersedes");
        _diagnostics.FramesSkipped.Should().Be(1);
    }

    [Fact]
    public async Task When_every_waiting_frame_is_its_environments_newest_the_oldest_gives_way()
    {
        var viewer = new InMemoryHubConnection(holdWrites: true);
        var mailbox = new ViewerMailbox(viewer.Context, _diagnostics, _metrics, maxQueuedFrames: 4, maxQueuedBytes: Roomy);

        for (var seq = 1; seq <= 6; seq++)
        {
            Offer(mailbox, Numbered(seq, env: seq));
        }

        (await DeliveredAsync(viewer, mailbox, 5)).Should().Equal([1, 3, 4, 5, 6]);
        _diagnostics.FramesSkipped.Should().Be(1);
    }

    private static Frame Numbered(int seq, int? env = null, int padding = 0) =>
        Frame.Parse($$"""{"x":{"pos":[[0,0,{{seq}}]],"rot":[[1,0,0,0]]},"seq":{{seq}}{{(env is { } id ? $",\"env_id\":{id}" : "")}},"pad":"{{new string('p', padding)}}"}""");

    private static void Offer(ViewerMailbox mailbox, Frame frame) =>
        mailbox.Offer(new SerializedHubMessage(new InvocationMessage(FrameHubContract.ReceiveFrame, [frame])), BacklogTag.Of(frame));

    /// <summary>
    /// Reads <paramref name="count"/> frames from the viewer, then proves nothing else was waiting:
    /// a closing frame offered now is the very next one written, since the mailbox keeps order.
    /// </summary>
    private async Task<List<int>> DeliveredAsync(InMemoryHubConnection viewer, ViewerMailbox mailbox, int count)
    {
        var delivered = new List<int>();
        for (var i = 0; i < count; i++)
        {
            delivered.Add(SeqOf(await viewer.ReadRecordAsync()));
        }

        var skipped = _diagnostics.FramesSkipped;
        Offer(mailbox, Numbered(int.MaxValue));
        SeqOf(await viewer.ReadRecordAsync()).Should().Be(int.MaxValue, "nothing was left waiting after frames {0}", string.Join(", ", delivered));
        _diagnostics.FramesSkipped.Should().Be(skipped, "the closing frame found the backlog empty");
        return delivered;
    }

    private static int SeqOf(string record)
    {
        using var message = JsonDocument.Parse(record);
        message.RootElement.GetProperty("target").GetString().Should().Be(FrameHubContract.ReceiveFrame);
        return message.RootElement.GetProperty("arguments")[0].GetProperty("seq").GetInt32();
    }
}
