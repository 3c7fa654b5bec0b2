using System.Net;
using Brax.Viewer.Tests.Infrastructure;

namespace Brax.Viewer.Tests.ScaleOut;

public sealed class CrossInstanceSceneTests(ThreeInstances instances) : IClassFixture<ThreeInstances>, IDisposable
{
    private readonly HttpClient _http = new();

    private ScaleOutCluster Cluster => instances.Cluster;

    [Fact]
    public async Task A_scene_put_on_one_instance_is_served_by_every_instance_and_refreshes_pages_everywhere()
    {
        const string run = "scene-everywhere";
        var scene = BraxFixtures.System("arm");
        var controls = new List<RawClient>();
        try
        {
            foreach (var server in Cluster.Servers)
            {
                var control = await RawClient.ConnectAsync(server.WebSocket($"ws/control?run={run}"));
                controls.Add(control);
                (await control.ReceiveAsync()).Should().Contain("set_render_state");
            }

            foreach (var server in Cluster.Servers)
            {
                using var missing = await _http.GetAsync(server.Http($"api/system?run={run}"));
                missing.StatusCode.Should().Be(HttpStatusCode.NotFound);
            }

            using (var put = await _http.PutAsync(Cluster.B.Http($"api/system?run={run}"), new ByteArrayContent(scene) { Headers = { ContentType = new("application/json") } }))
            {
                put.StatusCode.Should().Be(HttpStatusCode.NoContent);
            }

            foreach (var control in controls)
            {
                (await control.ReceiveAsync()).Should().Be("""{"type":"refresh_web"}""", "pages on every instance reload");
            }

            foreach (var server in Cluster.Servers)
            {
                using var get = await _http.GetAsync(server.Http($"api/system?run={run}"));
                get.StatusCode.Should().Be(HttpStatusCode.OK);
                (await get.Content.ReadAsByteArrayAsync()).Should().Equal(scene, "every instance serves the scene as uploaded");
            }
        }
        finally
        {
            foreach (var control in controls)
            {
                await control.DisposeAsync();
            }
        }
    }

    public void Dispose() => _http.Dispose();
}
