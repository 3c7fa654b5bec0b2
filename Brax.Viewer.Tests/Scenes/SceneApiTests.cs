using System.Net;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Brax.Viewer.Server.Startup;
using Brax.Viewer.Tests.Infrastructure;

namespace Brax.Viewer.Tests.Scenes;

public sealed class SceneApiTests : IAsyncLifetime, IDisposable
{
    private ViewerTestServer _server = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _server = await ViewerTestServer.StartAsync(new Dictionary<string, string?> { ["Viewer:MaxSceneBytes"] = "200000" });
        _http = new HttpClient { BaseAddress = _server.BaseUri };
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public void Dispose() => _http?.Dispose();

    [Fact]
    public async Task Get_without_a_scene_is_404_with_a_json_error()
    {
        var response = await _http.GetAsync("/api/system?run=empty");

        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await ErrorMessage(response)).Should().Be("no scene loaded");
    }

    [Fact]
    public async Task Put_then_get_returns_the_scene_byte_for_byte()
    {
        var scene = BraxFixtures.System("arm");

        var put = await Put("/api/system?run=arm", scene);
        var get = await _http.GetAsync("/api/system?run=arm");

        put.StatusCode.Should().Be(HttpStatusCode.NoContent);
        get.StatusCode.Should().Be(HttpStatusCode.OK);
        get.Content.Headers.ContentType!.MediaType.Should().Be("application/json");
        (await get.Content.ReadAsByteArrayAsync()).Should().Equal(scene);
    }

    [Fact]
    public async Task Default_run_is_used_without_a_run_parameter()
    {
        (await Put("/api/system", BraxFixtures.System("cartpole"))).StatusCode.Should().Be(HttpStatusCode.NoContent);

        (await _http.GetByteArrayAsync("/api/system?run=default")).Should().Equal(BraxFixtures.System("cartpole"));
    }

    [Fact]
    public async Task Runs_keep_their_own_scenes()
    {
        await Put("/api/system?run=one", BraxFixtures.System("cartpole"));
        await Put("/api/system?run=two", BraxFixtures.System("ant"));

        (await _http.GetByteArrayAsync("/api/system?run=one")).Should().Equal(BraxFixtures.System("cartpole"));
        (await _http.GetByteArrayAsync("/api/system?run=two")).Should().Equal(BraxFixtures.System("ant"));
    }

    [Fact]
    public async Task Legacy_scene_is_400_with_its_message_and_the_stored_scene_stays()
    {
        await Put("/api/system?run=keep", BraxFixtures.System("cartpole"));
        var legacy = await File.ReadAllBytesAsync(BraxFixtures.LegacyFile);
        await using var bigEnough = await ViewerTestServer.StartAsync();
        using var http = new HttpClient { BaseAddress = bigEnough.BaseUri };

        var response = await http.PutAsync("/api/system", new ByteArrayContent(legacy) { Headers = { ContentType = new("application/json") } });

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await ErrorMessage(response)).Should().Be("brax v1 (config/pos/rot) scene format is not supported");
        (await http.GetAsync("/api/system")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("not json at all", "not valid JSON")]
    [InlineData("""{"opt": {}}""", "missing 'geoms'")]
    [InlineData("""{"geoms": {"x": [{"name": "Cone", "link_idx": -1, "pos": [0,0,0], "rot": [1,0,0,0], "size": [1,1,1]}]}}""", "unknown geom type 'Cone'")]
    public async Task Invalid_scene_is_400_and_the_stored_scene_is_unchanged(string body, string expected)
    {
        await Put("/api/system?run=stay", BraxFixtures.System("cartpole"));

        var response = await Put("/api/system?run=stay", Encoding.UTF8.GetBytes(body));

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await ErrorMessage(response)).Should().Contain(expected);
        (await _http.GetByteArrayAsync("/api/system?run=stay")).Should().Equal(BraxFixtures.System("cartpole"));
    }

    [Fact]
    public async Task Scene_over_the_size_limit_is_413()
    {
        var big = Encoding.UTF8.GetBytes("{\"geoms\": {}, \"pad\": \"" + new string('x', 250_000) + "\"}");

        var response = await Put("/api/system?run=big", big);

        response.StatusCode.Should().Be(HttpStatusCode.RequestEntityTooLarge);
        (await ErrorMessage(response)).Should().Contain("200000 bytes");
        (await _http.GetAsync("/api/system?run=big")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Chunked_scene_over_the_size_limit_is_413()
    {
        var big = Encoding.UTF8.GetBytes("{\"geoms\": {}, \"pad\": \"" + new string('x', 250_000) + "\"}");
        var content = new StreamContent(new MemoryStream(big));
        content.Headers.ContentLength = null;
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Put, "/api/system?run=chunked") { Content = content };
        request.Headers.TransferEncodingChunked = true;

        var response = await _http.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task Scene_larger_than_kestrels_default_body_limit_is_accepted_when_configured()
    {
        await using var server = await ViewerTestServer.StartAsync();
        using var http = new HttpClient { BaseAddress = server.BaseUri };
        // 31 MB: over Kestrel's own 30 MB default, under the 64 MiB scene default.
        var padded = Encoding.UTF8.GetBytes("{\"geoms\": {}, \"pad\": \"" + new string('x', 31_000_000) + "\"}");

        var response = await http.PutAsync("/api/system", new ByteArrayContent(padded) { Headers = { ContentType = new("application/json") } });

        response.StatusCode.Should().Be(HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task Invalid_run_name_is_400()
    {
        var response = await Put("/api/system?run=" + Uri.EscapeDataString("a b/c"), BraxFixtures.System("cartpole"));

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await ErrorMessage(response)).Should().Contain("run");
    }

    [Fact]
    public async Task Num_envs_is_stored_and_served_in_the_scene_info()
    {
        await Put("/api/system?run=batched&num_envs=4", BraxFixtures.System("cartpole_batched4"));

        using var info = JsonDocument.Parse(await _http.GetStringAsync("/api/system/info?run=batched"));

        info.RootElement.GetProperty("loaded").GetBoolean().Should().BeTrue();
        info.RootElement.GetProperty("links").GetInt32().Should().Be(8);
        info.RootElement.GetProperty("num_envs").GetInt32().Should().Be(4);
        info.RootElement.GetProperty("links_per_env").GetInt32().Should().Be(2);
    }

    [Fact]
    public async Task Num_envs_that_does_not_divide_the_links_is_400()
    {
        var response = await Put("/api/system?run=bad-envs&num_envs=3", BraxFixtures.System("cartpole_batched4"));

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await ErrorMessage(response)).Should().Contain("num_envs=3");
    }

    [Fact]
    public async Task Info_without_a_scene_is_200_not_loaded()
    {
        var response = await _http.GetAsync("/api/system/info?run=nothing");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        using var info = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        info.RootElement.GetProperty("loaded").GetBoolean().Should().BeFalse();
    }

    [Fact]
    public async Task Put_sends_refresh_web_to_control_clients_of_the_run_only()
    {
        using var mine = await ConnectControl("refresh");
        using var other = await ConnectControl("elsewhere");
        (await Receive(mine)).Should().Contain("set_render_state");
        (await Receive(other)).Should().Contain("set_render_state");
        (await Receive(mine)).Should().Contain("viewer_count", "the greeting ends with the run's viewer count");
        (await Receive(other)).Should().Contain("viewer_count");

        await Put("/api/system?run=refresh", BraxFixtures.System("cartpole"));

        JsonDocument.Parse(await Receive(mine)).RootElement.GetProperty("type").GetString().Should().Be("refresh_web");
        var nothing = () => Receive(other, TimeSpan.FromMilliseconds(300));
        await nothing.Should().ThrowAsync<OperationCanceledException>();
    }

    [Fact]
    public async Task System_file_option_loads_a_scene_at_start()
    {
        await using var server = await ViewerTestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Viewer:SystemFile"] = BraxFixtures.SystemFile("ant"),
        });
        using var http = new HttpClient { BaseAddress = server.BaseUri };

        (await http.GetByteArrayAsync("/api/system")).Should().Equal(BraxFixtures.System("ant"));
    }

    [Fact]
    public async Task System_file_that_is_invalid_stops_the_start()
    {
        var start = () => ViewerTestServer.StartAsync(new Dictionary<string, string?> { ["Viewer:SystemFile"] = BraxFixtures.LegacyFile });

        (await start.Should().ThrowAsync<StartupException>()).WithMessage("*brax v1*");
    }

    private Task<HttpResponseMessage> Put(string path, byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return _http.PutAsync(path, content);
    }

    private async Task<ClientWebSocket> ConnectControl(string run)
    {
        var socket = new ClientWebSocket();
        await socket.ConnectAsync(_server.WebSocket("/ws/control?run=" + run), CancellationToken.None);
        return socket;
    }

    private static async Task<string> Receive(ClientWebSocket socket, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(5));
        var buffer = new byte[64 * 1024];
        var result = await socket.ReceiveAsync(buffer, cts.Token);
        return Encoding.UTF8.GetString(buffer, 0, result.Count);
    }

    private static async Task<string> ErrorMessage(HttpResponseMessage response)
    {
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        body.RootElement.GetProperty("status").GetString().Should().Be("error");
        return body.RootElement.GetProperty("message").GetString()!;
    }
}
