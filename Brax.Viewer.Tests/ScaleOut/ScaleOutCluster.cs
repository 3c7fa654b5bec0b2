using Brax.Viewer.Hubs.ScaleOut;
using Brax.Viewer.Tests.Infrastructure;

namespace Brax.Viewer.Tests.ScaleOut;

/// <summary>A real Redis and several instances of the real server on loopback ports, all on that Redis.</summary>
public sealed class ScaleOutCluster : IAsyncDisposable
{
    private ScaleOutCluster(RedisServer redis, IReadOnlyList<ViewerTestServer> servers)
    {
        Redis = redis;
        Servers = servers;
    }

    public RedisServer Redis { get; }

    public IReadOnlyList<ViewerTestServer> Servers { get; }

    public ViewerTestServer A => Servers[0];

    public ViewerTestServer B => Servers[1];

    public ViewerTestServer C => Servers[2];

    /// <summary>Starts Redis and <paramref name="instances"/> servers; with <paramref name="redisDown"/>, the servers start while Redis is stopped.</summary>
    public static async Task<ScaleOutCluster> StartAsync(int instances, IDictionary<string, string?>? settings = null, bool redisDown = false)
    {
        var redis = await RedisServer.StartAsync();
        if (redisDown)
        {
            await redis.StopAsync();
        }

        var all = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>())
        {
            ["ConnectionStrings:Redis"] = redis.ConnectionString,
        };

        var servers = await Task.WhenAll(Enumerable.Range(0, instances).Select(_ => ViewerTestServer.StartAsync(all)));
        var cluster = new ScaleOutCluster(redis, servers);
        await cluster.AllReadyAsync(!redisDown);
        return cluster;
    }

    /// <summary>Waits until every instance reports the backplane up (or down).</summary>
    public Task AllReadyAsync(bool ready, TimeSpan? timeout = null) =>
        Eventually.HoldsAsync(
            () => Servers.All(server => server.GetRequiredService<ScaleOutStatus>().IsReady == ready),
            ready ? "every instance reaches Redis" : "every instance sees Redis down",
            timeout ?? TimeSpan.FromSeconds(20));

    public async ValueTask DisposeAsync()
    {
        try
        {
            foreach (var server in Servers)
            {
                await server.DisposeAsync();
            }
        }
        finally
        {
            // Never leave a redis-server behind, whatever the servers did on the way out.
            await Redis.DisposeAsync();
        }
    }
}
