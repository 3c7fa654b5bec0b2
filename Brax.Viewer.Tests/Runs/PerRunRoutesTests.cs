using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Brax.Viewer.Client;
using Brax.Viewer.Tests.Infrastructure;

namespace Brax.Viewer.Tests.Runs;

/// <summary>
/// The scene and toggle endpoints under <c>/api/runs/{run}/</c>: one run's state is its own, and
/// the path form and the <c>?run=</c> form are the same endpoint.
/// </summary>
public sealed class PerRunRoutesTests : IAsyncLifetime
{
    private ViewerTestServer _server = null!;

    private HttpClient Http => _server.Client;

    public async Task InitializeAsync() =>
        _server = await ViewerTestServer.StartAsync(new Dictionary<string, string?> { ["Viewer:MaxSceneBytes"] = "200000" });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task A_scene_and_a_toggle_set_on_one_run_are_not_seen_on_another()
    {
        (await PutSceneAsync("api/runs/iso-a/system", BraxFixtures.System("cartpole"))).Should().Be(HttpStatusCode.NoContent);
        (await ToggleAsync("api/runs/iso-a/rendering_status", false)).Should().Be(HttpStatusCode.OK);

        (await RenderingAsync("api/runs/iso-a/rendering_status")).Should().BeFalse();
        (await RenderingAsync("api/runs/iso-b/rendering_status")).Should().BeTrue();
        (await InfoAsync("api/runs/iso-a/system/info"))["loaded"]!.GetValue<bool>().Should().BeTrue();
        (await InfoAsync("api/runs/iso-b/system/info"))["loaded"]!.GetValue<bool>().Should().BeFalse();
        using var sceneOfB = await Http.GetAsync("api/runs/iso-b/system");
        sceneOfB.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await sceneOfB.Content.ReadFromJsonAsync<ErrorBody>())!.Message.Should().Be("no scene loaded");
    }

    [Fact]
    public async Task The_path_form_and_the_query_form_name_the_same_run()
    {
        var scene = BraxFixtures.System("arm");
        (await PutSceneAsync("api/runs/both/system", scene)).Should().Be(HttpStatusCode.NoContent);
        (await ToggleAsync("api/rendering_status?run=both", false)).Should().Be(HttpStatusCode.OK);

        (await Http.GetByteArrayAsync("api/system?run=both")).Should().Equal(scene);
        (await Http.GetByteArrayAsync("api/runs/both/system")).Should().Equal(scene);
        JsonNode.DeepEquals(await InfoAsync("api/runs/both/system/info"), await InfoAsync("api/system/info?run=both")).Should().BeTrue();
        (await RenderingAsync("api/runs/both/rendering_status")).Should().BeFalse();

        using var delete = await Http.DeleteAsync("api/system?run=both");
        delete.StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await InfoAsync("api/runs/both/system/info"))["loaded"]!.GetValue<bool>().Should().BeFalse();
    }

    [Fact]
    public async Task Without_a_run_the_old_forms_mean_the_run_named_default()
    {
        var scene = BraxFixtures.System("ant");
        (await PutSceneAsync("api/system", scene)).Should().Be(HttpStatusCode.NoContent);
        (await ToggleAsync("api/runs/default/rendering_status", false)).Should().Be(HttpStatusCode.OK);

        (await Http.GetByteArrayAsync("api/runs/default/system")).Should().Equal(scene);
        (await RenderingAsync("api/rendering_status")).Should().BeFalse();
        (await _server.ListedAsync(RunContract.DefaultRun))!["has_scene"]!.GetValue<bool>().Should().BeTrue();
    }

    [Fact]
    public async Task A_run_in_the_path_wins_over_one_in_the_query()
    {
        (await ToggleAsync("api/runs/path-wins/rendering_status?run=query-loses", false)).Should().Be(HttpStatusCode.OK);

        (await RenderingAsync("api/rendering_status?run=path-wins")).Should().BeFalse();
        (await RenderingAsync("api/rendering_status?run=query-loses")).Should().BeTrue();
    }

    [Theory]
    [InlineData("GET", "system")]
    [InlineData("PUT", "system")]
    [InlineData("DELETE", "system")]
    [InlineData("GET", "system/info")]
    [InlineData("GET", "rendering_status")]
    [InlineData("POST", "rendering_status")]
    public async Task An_invalid_run_in_the_path_gets_the_same_400_as_in_the_query(string method, string endpoint)
    {
        var inPath = await SendAsync(method, $"api/runs/bad!name/{endpoint}");
        var inQuery = await SendAsync(method, $"api/{endpoint}?run=bad!name");

        inPath.Status.Should().Be(HttpStatusCode.BadRequest);
        inQuery.Status.Should().Be(HttpStatusCode.BadRequest);
        inPath.Body.Should().Be(inQuery.Body);
    }

    [Fact]
    public async Task The_path_form_keeps_the_json_only_filter_and_the_body_limits()
    {
        using var form = await Http.PostAsync("api/runs/filtered/rendering_status", new StringContent("rendering_enabled=false", Encoding.UTF8, "application/x-www-form-urlencoded"));
        using var tooLarge = await Http.PutAsync("api/runs/filtered/system", new ByteArrayContent(new byte[200_001]) { Headers = { ContentType = new("application/json") } });
        using var badToggle = await Http.PostAsync("api/runs/filtered/rendering_status", new StringContent("""{"enabled": true}""", Encoding.UTF8, "application/json"));

        form.StatusCode.Should().Be(HttpStatusCode.UnsupportedMediaType);
        tooLarge.StatusCode.Should().Be(HttpStatusCode.RequestEntityTooLarge);
        (await tooLarge.Content.ReadFromJsonAsync<ErrorBody>())!.Message.Should().Contain("Viewer:MaxSceneBytes");
        badToggle.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await badToggle.Content.ReadFromJsonAsync<ErrorBody>())!.Message.Should().Be("missing field 'rendering_enabled'");
        (await RenderingAsync("api/runs/filtered/rendering_status")).Should().BeTrue();
    }

    private async Task<HttpStatusCode> PutSceneAsync(string path, byte[] scene)
    {
        using var response = await Http.PutAsync(path, new ByteArrayContent(scene) { Headers = { ContentType = new("application/json") } });
        return response.StatusCode;
    }

    private async Task<HttpStatusCode> ToggleAsync(string path, bool enabled)
    {
        using var response = await Http.PostAsJsonAsync(path, new { rendering_enabled = enabled });
        return response.StatusCode;
    }

    private async Task<bool> RenderingAsync(string path) =>
        (await Http.GetFromJsonAsync<JsonObject>(path))!["rendering_enabled"]!.GetValue<bool>();

    private async Task<JsonObject> InfoAsync(string path) => (await Http.GetFromJsonAsync<JsonObject>(path))!;

    private async Task<(HttpStatusCode Status, string Body)> SendAsync(string method, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method is "PUT" or "POST")
        {
            request.Content = new StringContent("""{"rendering_enabled": true}""", Encoding.UTF8, "application/json");
        }

        using var response = await Http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
