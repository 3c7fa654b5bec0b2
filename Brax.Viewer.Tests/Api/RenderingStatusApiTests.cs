using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Brax.Viewer.Tests.Infrastructure;

namespace Brax.Viewer.Tests.Api;

/// <summary><c>GET</c> and <c>POST /api/rendering_status</c>: the render toggle over plain HTTP.</summary>
public sealed class RenderingStatusApiTests : IAsyncLifetime
{
    private ViewerTestServer _server = null!;

    private HttpClient Http => _server.Client;

    public async Task InitializeAsync() => _server = await ViewerTestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData("""{"rendering_enabled": "yes"}""", "'rendering_enabled' must be a boolean")]
    [InlineData("""{"enabled": true}""", "missing field 'rendering_enabled'")]
    [InlineData("""{"rendering_enabled": tru""", "not valid JSON")]
    [InlineData("""[true]""", "JSON object")]
    public async Task Bad_HTTP_toggles_get_400_with_the_problem_and_change_nothing(string body, string problem)
    {
        var response = await Http.PostAsync(_server.Http("api/rendering_status"), new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        ((int)response.StatusCode).Should().Be(400);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        error["status"]!.GetValue<string>().Should().Be("error");
        error["message"]!.GetValue<string>().Should().Contain(problem);
        (await RenderingEnabledAsync()).Should().BeTrue();
    }

    [Fact]
    public async Task HTTP_toggle_answers_with_the_new_state()
    {
        var response = await Http.PostAsJsonAsync(_server.Http("api/rendering_status"), new { rendering_enabled = false });

        JsonNode.DeepEquals(JsonNode.Parse(await response.Content.ReadAsStringAsync()), JsonNode.Parse("""{"status":"success","rendering_enabled":false}""")).Should().BeTrue();
    }

    private async Task<bool> RenderingEnabledAsync()
    {
        var status = await Http.GetFromJsonAsync<JsonObject>(_server.Http("api/rendering_status"));
        return status!["rendering_enabled"]!.GetValue<bool>();
    }
}
