using Brax.Viewer.Client;
using Brax.Viewer.Hubs.ScaleOut;
using Brax.Viewer.LoadGen.Hosting;
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
    public async Task The_clients_of_an_instance_that_dies_stop_counting_once_its_entries_expire()
    {
        const string run = "died";
        var dying = await ServerProcess.StartAsync(["--urls", "http://127.0.0.1:0"], [new("ConnectionStrings__Redis", _redis.ConnectionString)]);
        var clients = new List<RawClient>();
        try
        {
            try
            {
                clients.Add(await RawClient.ConnectAsync(dying.WebSocket($"ws/frame?run={run}&is_streamer=true")));
                clients.Add(await RawClient.ConnectAsync(dying.WebSocket($"ws/frame?run={run}")));
                await _a.CountsBecomeAsync(run, viewers: 1, streamers: 1, TimeSpan.FromSeconds(20));
            }
            finally
            {
                // Killed with its clients still connected: it has no chance to take its entries out of Redis itself.
                await dying.DisposeAsync();
            }

            var killed = DateTime.UtcNow;
            (await _a.ListedAsync(run)).Should().NotBeNull("the dead instance's entries stay until they expire");
            await _a.GoneAsync(run, TimeSpan.FromSeconds(30));
            (DateTime.UtcNow - killed).Should().BeGreaterThan(TimeSpan.FromSeconds(5), "nothing but the expiry took them out");
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
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
