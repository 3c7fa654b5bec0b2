using System.Net;
using System.Net.Http.Json;
using Brax.Viewer.Client;
using Brax.Viewer.Tests.Infrastructure;
using Brax.Viewer.Tests.Scenes;

namespace Brax.Viewer.Tests.ScaleOut;

/// <summary>
/// Scaled out, the scene limits hold for the scenes in Redis, whichever instance takes an upload,
/// and a deletion reaches every instance, through a Redis outage too.
/// </summary>
public sealed class RedisSceneStoreTests : IDisposable
{
    private readonly HttpClient _http = new();

    [Fact]
    public async Task Limits_count_the_scenes_every_instance_stored()
    {
        await using var cluster = await ScaleOutCluster.StartAsync(2, new Dictionary<string, string?> { ["Viewer:MaxSceneRuns"] = "2", ["Viewer:MaxTotalSceneBytes"] = "25000" });
        var (a, b) = (cluster.A, cluster.B);
        (await PutAsync(a, "one", SceneLimitTests.Scene(10_000))).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await PutAsync(b, "two", SceneLimitTests.Scene(10_000))).StatusCode.Should().Be(HttpStatusCode.NoContent);

        using (var refused = await PutAsync(a, "three", SceneLimitTests.Scene(1_000)))
        {
            refused.StatusCode.Should().Be(HttpStatusCode.InsufficientStorage, "B's scene counts on A");
            (await refused.Content.ReadFromJsonAsync<ErrorBody>())!.Message.Should().Contain("Viewer:MaxSceneRuns");
        }

        (await PutAsync(b, "one", SceneLimitTests.Scene(16_000))).StatusCode.Should().Be(HttpStatusCode.InsufficientStorage, "16,000 + 10,000 passes 25,000 once A's 10,000 for run one count out");
        (await PutAsync(b, "one", SceneLimitTests.Scene(15_000))).StatusCode.Should().Be(HttpStatusCode.NoContent, "15,000 + 10,000 does not");
        (await _http.GetByteArrayAsync(a.Http("api/system?run=one"))).Should().Equal(SceneLimitTests.Scene(15_000));

        (await _http.DeleteAsync(b.Http("api/system?run=two"))).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await PutAsync(a, "three", SceneLimitTests.Scene(1_000))).StatusCode.Should().Be(HttpStatusCode.NoContent, "the run deleted on B freed a place for A");
    }

    [Fact]
    public async Task A_deletion_on_one_instance_reaches_every_instance_and_their_pages()
    {
        await using var cluster = await ScaleOutCluster.StartAsync(2);
        var (a, b) = (cluster.A, cluster.B);
        await using var controlB = await RawClient.ConnectAsync(b.WebSocket("ws/control?run=deleted"));
        (await controlB.ReceiveAsync()).Should().Contain("set_render_state");
        (await PutAsync(a, "deleted", BraxFixtures.System("cartpole"))).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await controlB.ReceiveAsync()).Should().Be("""{"type":"refresh_web"}""");
        (await _http.GetAsync(b.Http("api/system?run=deleted"))).StatusCode.Should().Be(HttpStatusCode.OK);

        (await _http.DeleteAsync(a.Http("api/system?run=deleted"))).StatusCode.Should().Be(HttpStatusCode.NoContent);

        (await controlB.ReceiveAsync()).Should().Be("""{"type":"refresh_web"}""", "pages on B go back to waiting");
        (await _http.GetAsync(b.Http("api/system?run=deleted"))).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await _http.DeleteAsync(b.Http("api/system?run=deleted"))).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_deletion_during_a_Redis_outage_is_written_when_Redis_returns_and_other_instances_pages_are_told()
    {
        await using var cluster = await ScaleOutCluster.StartAsync(2);
        var (a, b) = (cluster.A, cluster.B);
        (await PutAsync(a, "outage", BraxFixtures.System("cartpole"))).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await _http.GetAsync(b.Http("api/system?run=outage"))).StatusCode.Should().Be(HttpStatusCode.OK, "B has seen the scene");
        await using var controlB = await SignalRClient.ConnectAsync(b, "hubs/control?run=outage", HubProtocolKind.Json);
        (await controlB.NextRenderStateAsync()).Should().BeTrue();

        await cluster.Redis.StopAsync();
        await cluster.AllReadyAsync(false);
        (await _http.DeleteAsync(a.Http("api/system?run=outage"))).StatusCode.Should().Be(HttpStatusCode.NoContent, "a scene can be deleted while Redis is down");
        (await _http.GetAsync(a.Http("api/system?run=outage"))).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await _http.GetAsync(b.Http("api/system?run=outage"))).StatusCode.Should().Be(HttpStatusCode.OK, "B cannot know yet, and serves what it last saw");

        await cluster.Redis.StartAgainAsync();
        await cluster.AllReadyAsync(true, TimeSpan.FromSeconds(30));

        (await controlB.NextRefreshAsync(TimeSpan.FromSeconds(15))).Should().BeTrue("B's pages hear of the deletion A made during the outage");
        await Eventually.HoldsAsync(() => _http.GetAsync(b.Http("api/system?run=outage")).Result.StatusCode == HttpStatusCode.NotFound, "the deletion reached Redis");
    }

    public void Dispose() => _http.Dispose();

    private Task<HttpResponseMessage> PutAsync(ViewerTestServer server, string run, byte[] scene) =>
        _http.PutAsync(server.Http($"api/system?run={run}"), new ByteArrayContent(scene) { Headers = { ContentType = new("application/json") } });
}
