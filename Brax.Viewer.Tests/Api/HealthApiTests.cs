using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Brax.Viewer.Tests.Infrastructure;

namespace Brax.Viewer.Tests.Api;

public sealed class HealthApiTests
{
    [Fact]
    public async Task Healthz_answers_200()
    {
        await using var server = await ViewerTestServer.StartAsync();
        using var http = new HttpClient();

        using var response = await http.GetAsync(server.Http("healthz"));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_single_server_without_Redis_is_ready_and_says_it_has_no_backplane()
    {
        await using var server = await ViewerTestServer.StartAsync();
        using var http = new HttpClient();

        using var ready = await http.GetAsync(server.Http("readyz"));

        ready.StatusCode.Should().Be(HttpStatusCode.OK);
        (await ready.Content.ReadFromJsonAsync<JsonObject>())!.ToJsonString().Should().Be("""{"status":"ready","backplane":"none"}""");
    }
}
