using System.Net;
using System.Text.Json.Nodes;
using Brax.Viewer.Tests.Infrastructure;

namespace Brax.Viewer.Tests.RawShim;

public sealed class HttpEdgeTests : IAsyncLifetime
{
    private ViewerTestServer _server = null!;

    private HttpClient Http => _server.Client;

    public async Task InitializeAsync() => _server = await ViewerTestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData("ws/frame")]
    [InlineData("ws/control")]
    public async Task Plain_requests_to_WebSocket_endpoints_get_400_with_a_JSON_error(string path)
    {
        var response = await Http.GetAsync(_server.Http(path));

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await ErrorMessageAsync(response)).Should().Contain("WebSocket");
    }

    [Fact]
    public async Task Unknown_paths_get_404_with_a_JSON_error_that_does_not_echo_the_path()
    {
        var response = await Http.GetAsync(_server.Http("ws/nothing-here-%3Cscript%3E"));

        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
        var message = await ErrorMessageAsync(response);
        message.Should().Be("not found");
        message.Should().NotContain("nothing-here");
    }

    [Fact]
    public async Task Invalid_run_names_are_refused_before_the_upgrade()
    {
        var connect = () => RawClient.ConnectAsync(_server.WebSocket("ws/frame?run=../../etc"));

        await connect.Should().ThrowAsync<System.Net.WebSockets.WebSocketException>();
        var response = await Http.GetAsync(_server.Http("api/rendering_status?run=a%20b"));
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await ErrorMessageAsync(response)).Should().Contain("run");
    }

    private static async Task<string> ErrorMessageAsync(HttpResponseMessage response)
    {
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/json");
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        body["status"]!.GetValue<string>().Should().Be("error");
        return body["message"]!.GetValue<string>();
    }
}
