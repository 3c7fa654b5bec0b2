using System.Text.Json.Nodes;
using Brax.Viewer.Client;
using Brax.Viewer.Hubs;
using Brax.Viewer.Hubs.Diagnostics;
using Brax.Viewer.Hubs.Fanout;
using Brax.Viewer.Hubs.ScaleOut;
using Brax.Viewer.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;
using StackExchange.Redis;

namespace Brax.Viewer.Tests.ScaleOut;

public sealed class CrossInstanceFrameTests(ThreeInstances instances) : IClassFixture<ThreeInstances>
{
    private ScaleOutCluster Cluster => instances.Cluster;

    [Fact]
    public async Task Frames_from_a_raw_streamer_reach_raw_JSON_and_MessagePack_viewers_on_every_instance()
    {
        const string run = "everywhere";
        var raws = new List<RawClient>();
        var signalRs = new List<SignalRClient>();
        try
        {
            foreach (var server in Cluster.Servers)
            {
                raws.Add(await RawClient.ConnectAsync(server.WebSocket($"ws/frame?run={run}")));
                signalRs.Add(await SignalRClient.ConnectAsync(server, $"hubs/frame?run={run}", HubProtocolKind.Json));
                signalRs.Add(await SignalRClient.ConnectAsync(server, $"hubs/frame?run={run}", HubProtocolKind.MessagePack, skipNegotiation: true));
            }

            await AllJoinedAsync(3);
            await using var streamer = await RawClient.ConnectAsync(Cluster.A.WebSocket($"ws/frame?is_streamer=true&run={run}"));

            var sent = Enumerable.Range(1, 20).Select(number => TestFrames.Numbered(number)).ToList();
            foreach (var frame in sent)
            {
                await streamer.SendAsync(frame);
            }

            foreach (var raw in raws)
            {
                foreach (var frame in sent)
                {
                    (await raw.ReceiveAsync()).Should().Be(frame, "raw viewers on every instance get every frame byte for byte, in order");
                }
            }

            foreach (var viewer in signalRs)
            {
                foreach (var frame in sent)
                {
                    var received = await viewer.NextFrameAsync();
                    JsonNode.DeepEquals(JsonNode.Parse(received.ToString()), JsonNode.Parse(frame)).Should().BeTrue("SignalR viewers on every instance get the same values, in order");
                }
            }

            await streamer.ExpectNothingAsync(TimeSpan.FromMilliseconds(100));
        }
        finally
        {
            foreach (var raw in raws)
            {
                await raw.DisposeAsync();
            }

            foreach (var viewer in signalRs)
            {
                await viewer.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Frames_from_a_MessagePack_streamer_reach_raw_viewers_on_other_instances_as_equal_JSON()
    {
        const string run = "from-signalr";
        await using var onB = await RawClient.ConnectAsync(Cluster.B.WebSocket($"ws/frame?run={run}"));
        await using var onC = await RawClient.ConnectAsync(Cluster.C.WebSocket($"ws/frame?run={run}"));
        await using var streamer = await SignalRClient.ConnectAsync(Cluster.A, $"hubs/frame?is_streamer=true&run={run}", HubProtocolKind.MessagePack);
        await AllJoinedAsync(0, 1, 1);

        var frame = TestFrames.Numbered(7);
        await streamer.Connection.InvokeAsync(FrameHubContract.SendFrame, Frame.Parse(frame));

        JsonNode.DeepEquals(JsonNode.Parse(await onB.ReceiveAsync()), JsonNode.Parse(frame)).Should().BeTrue();
        JsonNode.DeepEquals(JsonNode.Parse(await onC.ReceiveAsync()), JsonNode.Parse(frame)).Should().BeTrue();
    }

    [Fact]
    public async Task Redis_carries_one_copy_of_a_frame_per_publish_not_one_per_viewer()
    {
        const string run = "one-copy";
        await using var redis = await ConnectionMultiplexer.ConnectAsync(Cluster.Redis.ConnectionString);

        // The frame numbers on the channel, in the order Redis carried them (a queue keeps that order).
        var published = new List<int>();
        var channel = await redis.GetSubscriber().SubscribeAsync(RedisChannel.Literal("brax-viewer:frames"));
        channel.OnMessage(message =>
        {
            lock (published)
            {
                published.Add(TestFrames.NumberOf((byte[])message.Message!));
            }
        });

        var viewers = new List<RawClient>();
        try
        {
            foreach (var server in new[] { Cluster.B, Cluster.B, Cluster.B, Cluster.C, Cluster.C, Cluster.C })
            {
                viewers.Add(await RawClient.ConnectAsync(server.WebSocket($"ws/frame?run={run}")));
            }

            await AllJoinedAsync(0, 3, 3);
            await using var streamer = await RawClient.ConnectAsync(Cluster.A.WebSocket($"ws/frame?is_streamer=true&run={run}"));
            for (var number = 1; number <= 10; number++)
            {
                await streamer.SendAsync(TestFrames.Numbered(number));
            }

            foreach (var viewer in viewers)
            {
                for (var number = 1; number <= 10; number++)
                {
                    TestFrames.NumberOf(await viewer.ReceiveAsync()).Should().Be(number);
                }
            }

            // One more frame closes the count: A publishes in order on one connection, so every copy it
            // made of frames 1-10 is on the channel before frame 11, and the count is complete the
            // moment 11 arrives, with no quiet period to guess.
            await streamer.SendAsync(TestFrames.Numbered(11));
            await Eventually.HoldsAsync(() => { lock (published) { return published.Contains(11); } }, "Redis carried the closing frame");
            lock (published)
            {
                published.Should().Equal(Enumerable.Range(1, 11), "six viewers on two other instances still take one message per frame");
            }
        }
        finally
        {
            foreach (var viewer in viewers)
            {
                await viewer.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_viewer_joining_on_another_instance_is_shown_the_newest_frame_of_each_environment_at_once()
    {
        const string run = "late-joiners-across";
        await using var streamer = await RawClient.ConnectAsync(Cluster.B.WebSocket($"ws/frame?is_streamer=true&run={run}"));
        for (var number = 1; number <= 12; number++)
        {
            await streamer.SendAsync(TestFrames.OfEnv(number, env: number % 3));
        }

        // The frames have reached C once its copy holds the last one.
        await Eventually.HoldsAsync(
            () => Cluster.C.GetRequiredService<ViewerGroups>().Newest(HubGroups.FrameViewers(run)).Any(frame => TestFrames.NumberOf(frame.ToString()) == 12),
            "the frames crossed to C");
        await using var late = await RawClient.ConnectAsync(Cluster.C.WebSocket($"ws/frame?run={run}"));

        var shown = new[] { await late.ReceiveAsync(), await late.ReceiveAsync(), await late.ReceiveAsync() };
        shown.Select(TestFrames.NumberOf).Should().BeEquivalentTo([10, 11, 12], "the newest frame of environments 1, 2 and 0");
        await late.ExpectNothingAsync(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task An_instance_that_starts_after_the_stream_shows_late_joiners_the_newest_frames_kept_in_Redis()
    {
        const string run = "late-joiners-redis";
        await using var streamer = await RawClient.ConnectAsync(Cluster.B.WebSocket($"ws/frame?is_streamer=true&run={run}"));
        await using var redis = await ConnectionMultiplexer.ConnectAsync(Cluster.Redis.ConnectionString);
        for (var number = 1; number <= 30; number++)
        {
            await streamer.SendAsync(TestFrames.OfEnv(number, env: number % 2));
        }

        // Writes are throttled, but the last frame of each environment in a burst always lands.
        var key = $"brax-viewer:latest-frame:{HubGroups.FrameViewers(run)}";
        await Eventually.HoldsAsync(
            () => redis.GetDatabase().HashGet(key, "0") == TestFrames.OfEnv(30, env: 0) && redis.GetDatabase().HashGet(key, "1") == TestFrames.OfEnv(29, env: 1),
            "the newest frame of each environment is in Redis");

        await using var fresh = await ViewerTestServer.StartAsync(new Dictionary<string, string?> { ["ConnectionStrings:Redis"] = Cluster.Redis.ConnectionString });
        await Eventually.HoldsAsync(() => fresh.GetRequiredService<ScaleOutStatus>().IsReady, "the new instance reached Redis");
        await using var late = await RawClient.ConnectAsync(fresh.WebSocket($"ws/frame?run={run}"));

        var shown = new[] { await late.ReceiveAsync(), await late.ReceiveAsync() };
        shown.Should().BeEquivalentTo([TestFrames.OfEnv(30, env: 0), TestFrames.OfEnv(29, env: 1)]);
    }

    private Task AllJoinedAsync(params int[] counts)
    {
        var expected = counts.Length == 1 ? Enumerable.Repeat(counts[0], Cluster.Servers.Count).ToArray() : counts;
        return Eventually.HoldsAsync(
            () => Cluster.Servers.Select((server, i) => server.GetRequiredService<HubDiagnostics>().ViewerMemberships == expected[i]).All(joined => joined),
            $"viewers have joined ({string.Join(", ", expected)})");
    }
}
