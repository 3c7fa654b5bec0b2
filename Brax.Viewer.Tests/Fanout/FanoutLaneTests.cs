using System.Buffers;
using System.Diagnostics.Metrics;
using System.IO.Pipelines;
using Brax.Viewer.Client;
using Brax.Viewer.Hubs;
using Brax.Viewer.Hubs.Diagnostics;
using Brax.Viewer.Hubs.Fanout;
using Brax.Viewer.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Brax.Viewer.Tests.Fanout;

public sealed class FanoutLaneTests
{
    // The group a server puts the default run's viewers in, not a name of the test's own.
    private static readonly string Group = HubGroups.FrameViewers(RunContract.DefaultRun);

    [Fact]
    public void A_frame_posted_while_a_lane_stands_down_is_delivered_without_waiting_for_the_next_one()
    {
        // One frame at a time, each awaited before the next: a frame that reached a lane just as the
        // lane found its queue empty must be served at once. If it waited for the next frame to wake
        // the lane, a stream's last frame would never arrive. The race is narrow, so it takes many frames.
        using var meters = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var metrics = new ViewerMetrics(meters.GetRequiredService<IMeterFactory>(), new HubDiagnostics());
        using var groups = new ViewerGroups(Options.Create(new FanoutOptions()), new HubDiagnostics(), metrics, NullLogger<ViewerGroups>.Instance, TimeProvider.System);
        var viewers = Enumerable.Range(0, 4 * Environment.ProcessorCount).Select(_ => new CountingTransport()).ToList();
        foreach (var viewer in viewers)
        {
            groups.Join(Group, new ViewerMailbox(viewer.Connect(), new HubDiagnostics(), metrics, maxQueuedFrames: 64, maxQueuedBytes: 1 << 20));
        }

        var message = new SerializedHubMessage(new InvocationMessage("ReceiveFrame", ["frame"]));
        for (var frame = 1; frame <= 100_000; frame++)
        {
            groups.Offer(Group, message, new BacklogTag(5, -1));
            var deadline = Environment.TickCount64 + 5_000;
            var wait = default(SpinWait);
            while (viewers.Exists(viewer => viewer.Messages < frame))
            {
                if (Environment.TickCount64 > deadline)
                {
                    viewers.Count(viewer => viewer.Messages < frame).Should().Be(0, $"frame {frame} must reach every viewer within 5 s");
                }

                wait.SpinOnce();
            }
        }
    }

    /// <summary>A viewer's transport that always has room and counts the messages written to it.</summary>
    private sealed class CountingTransport : PipeWriter, IDuplexPipe
    {
        private readonly byte[] _buffer = new byte[4096];
        private int _messages;

        public int Messages => Volatile.Read(ref _messages);

        public PipeReader Input { get; } = new Pipe().Reader;

        public PipeWriter Output => this;

        public HubConnectionContext Connect() => InMemoryHubConnection.Create(this);

        public override void Advance(int bytes)
        {
        }

        public override void CancelPendingFlush()
        {
        }

        public override void Complete(Exception? exception = null)
        {
        }

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _messages);
            return new(new FlushResult(false, false));
        }

        public override Memory<byte> GetMemory(int sizeHint = 0) => _buffer;

        public override Span<byte> GetSpan(int sizeHint = 0) => _buffer;
    }
}
