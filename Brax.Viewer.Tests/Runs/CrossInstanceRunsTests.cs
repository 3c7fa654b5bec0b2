using Brax.Viewer.Client;
using Brax.Viewer.Hubs.ScaleOut;
using Brax.Viewer.Tests.Infrastructure;
using Brax.Viewer.Tests.ScaleOut;
using StackExchange.Redis;

namespace Brax.Viewer.Tests.Runs;

/// <summary>Two instances of the real server on a real redis-server list the same runs with the clients of both.</summary>
public sealed class CrossInstanceRunsTests : IAsyncLifetime
{
    private RedisServer _redis = null!;
    private ViewerTestServer _a = null!;
    private ViewerTestServer? _b;

    private ViewerTestServer B => _b!;

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        var settings = new Dictionary<string, string?> { ["ConnectionStrings:Redis"] = _redis.ConnectionString };
        _a = await ViewerTestServer.StartAsync(settings);
        _b = await ViewerTestServer.StartAsync(settings);
        await Eventually.HoldsAsync(() => _a.GetRequiredService<ScaleOutStatus>().IsReady && B.GetRequiredService<ScaleOutStatus>().IsReady, "both instances reach Redis", TimeSpan.FromSeconds(20));
    }

    public async Task DisposeAsync()
    {
        try
        {
            await _a.DisposeAsync();
            if (_b is not null)
            {
                await _b.DisposeAsync();
            }
        }
        finally
        {
            await _redis.DisposeAsync();
        }
    }

    [Fact]
    public async Task Viewers_and_streamers_of_both_instances_are_summed_and_a_stopped_instance_drops_out()
    {
        const string run = "everywhere";
        await using var rawViewerOnA = await RawClient.ConnectAsync(_a.WebSocket($"ws/frame?run={run}"));
        await using var hubStreamerOnA = await SignalRClient.ConnectAsync(_a, $"{FrameHubContract.Path}?run={run}&is_streamer=true", HubProtocolKind.Json);
        await using var hubViewerOnB = await SignalRClient.ConnectAsync(B, $"{FrameHubContract.Path}?run={run}", HubProtocolKind.MessagePack);
        await using var rawStreamerOnB = await RawClient.ConnectAsync(B.WebSocket($"ws/frame?run={run}&is_streamer=true"));
        await using var secondStreamerOnB = await RawClient.ConnectAsync(B.WebSocket($"ws/frame?run={run}&is_streamer=true"));

        await _a.CountsBecomeAsync(run, viewers: 2, streamers: 3);
        await B.CountsBecomeAsync(run, viewers: 2, streamers: 3);

        // A frame streamed to B is seen by A too, through the backplane.
        await rawStreamerOnB.SendAsync(TestFrames.Numbered(1));
        await Eventually.HoldsAsync(async () => (await _a.FindRunAsync(run))?["last_frame_ms"] is not null, "A saw B's frame");

        await B.DisposeAsync();
        _b = null;

        await _a.CountsBecomeAsync(run, viewers: 1, streamers: 1);
    }

    [Fact]
    public async Task A_run_with_clients_only_on_the_other_instance_is_listed_and_forgotten_when_they_leave()
    {
        const string run = "elsewhere";
        await using (var viewerOnB = await RawClient.ConnectAsync(B.WebSocket($"ws/frame?run={run}")))
        {
            await _a.CountsBecomeAsync(run, viewers: 1, streamers: 0);
            (await _a.FindRunAsync(run))!["viewers"]!.GetValue<int>().Should().Be(1);
        }

        await _a.GoneAsync(run);
    }

    [Fact]
    public async Task An_instances_counts_in_Redis_expire_unless_it_keeps_writing_them()
    {
        await using var viewerOnA = await RawClient.ConnectAsync(_a.WebSocket("ws/frame?run=expiring"));
        await _a.CountsBecomeAsync("expiring", viewers: 1, streamers: 0);

        await using var redis = await ConnectionMultiplexer.ConnectAsync(_redis.ConnectionString);
        var keys = redis.GetServers().Single().Keys(pattern: "brax-viewer:run-clients:*").ToList();
        keys.Should().NotBeEmpty();
        foreach (var key in keys)
        {
            var ttl = await redis.GetDatabase().KeyTimeToLiveAsync(key);
            ttl.Should().NotBeNull($"{key} must expire when its instance dies").And.Subject!.Value.Should().BeLessThanOrEqualTo(TimeSpan.FromSeconds(15));
        }
    }
}
