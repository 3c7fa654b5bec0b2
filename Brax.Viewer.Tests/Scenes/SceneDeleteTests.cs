using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Brax.Viewer.Client;
using Brax.Viewer.Tests.Infrastructure;

namespace Brax.Viewer.Tests.Scenes;

/// <summary><c>DELETE /api/system?run=NAME</c>: the run's scene is gone and its pages go back to waiting.</summary>
public sealed class SceneDeleteTests : IAsyncLifetime
{
    private ViewerTestServer _server = null!;

    private HttpClient Http => _server.Client;

    public async Task InitializeAsync() => _server = await ViewerTestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Deleting_a_scene_is_204_then_404_and_tells_the_runs_control_clients_only()
    {
        await using var raw = await RawClient.ConnectAsync(_server.WebSocket("ws/control?run=gone"));
        await using var signalR = await SignalRClient.ConnectAsync(_server, "hubs/control?run=gone", HubProtocolKind.Json);
        await using var otherRun = await RawClient.ConnectAsync(_server.WebSocket("ws/control?run=stays"));
        (await raw.ReceiveAsync()).Should().Contain("set_render_state");
        (await signalR.NextRenderStateAsync()).Should().BeTrue();
        (await otherRun.ReceiveAsync()).Should().Contain("set_render_state");
        await PutAsync("gone");
        await PutAsync("stays");
        (await raw.ReceiveAsync()).Should().Be("""{"type":"refresh_web"}""");
        (await signalR.NextRefreshAsync()).Should().BeTrue();
        (await otherRun.ReceiveAsync()).Should().Be("""{"type":"refresh_web"}""");

        using (var deleted = await Http.DeleteAsync("api/system?run=gone"))
        {
            deleted.StatusCode.Should().Be(HttpStatusCode.NoContent);
        }

        (await raw.ReceiveAsync()).Should().Be("""{"type":"refresh_web"}""", "pages of the run go back to waiting");
        (await signalR.NextRefreshAsync()).Should().BeTrue();
        await otherRun.ExpectNothingAsync(TimeSpan.FromMilliseconds(200));
        (await Http.GetAsync("api/system?run=gone")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await Http.GetFromJsonAsync<JsonObject>("api/system/info?run=gone"))!["loaded"]!.GetValue<bool>().Should().BeFalse();
        (await Http.GetAsync("api/system?run=stays")).StatusCode.Should().Be(HttpStatusCode.OK, "other runs keep their scenes");

        using var again = await Http.DeleteAsync("api/system?run=gone");
        again.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await again.Content.ReadFromJsonAsync<ErrorBody>())!.Message.Should().Be("no scene loaded");
        await raw.ExpectNothingAsync(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task Deleting_without_a_run_deletes_the_default_runs_scene_and_an_invalid_run_is_400()
    {
        await PutAsync(null);

        (await Http.DeleteAsync("api/system")).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await Http.GetAsync("api/system")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await Http.DeleteAsync("api/system?run=" + Uri.EscapeDataString("a b/c"))).StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    private async Task PutAsync(string? run)
    {
        using var put = await Http.PutAsync(run is null ? "api/system" : $"api/system?run={run}", new ByteArrayContent(BraxFixtures.System("cartpole")) { Headers = { ContentType = new("application/json") } });
        put.StatusCode.Should().Be(HttpStatusCode.NoContent);
    }
}
