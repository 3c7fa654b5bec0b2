using System.Net;
using System.Net.Http.Json;
using System.Text;
using Brax.Viewer.Client;
using Brax.Viewer.Hubs.Diagnostics;
using Brax.Viewer.Tests.Infrastructure;

namespace Brax.Viewer.Tests.Scenes;

/// <summary>
/// Scenes are kept per run until deleted, so the server holds at most <c>Viewer:MaxSceneRuns</c> of
/// them and <c>Viewer:MaxTotalSceneBytes</c> together; past either an upload gets 507 naming the
/// limit, and replacing or deleting a run's scene gives its bytes back.
/// </summary>
public sealed class SceneLimitTests : IDisposable
{
    private readonly HttpClient _http = new();

    [Fact]
    public async Task A_scene_for_a_run_past_the_run_limit_is_507_until_one_is_deleted_and_replacing_one_is_not_a_new_run()
    {
        await using var server = await ViewerTestServer.StartAsync(new Dictionary<string, string?> { ["Viewer:MaxSceneRuns"] = "2" });
        var diagnostics = server.GetRequiredService<HubDiagnostics>();
        (await PutAsync(server, "a", Scene(1000))).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await PutAsync(server, "b", Scene(1000))).StatusCode.Should().Be(HttpStatusCode.NoContent);

        using (var refused = await PutAsync(server, "c", Scene(1000)))
        {
            refused.StatusCode.Should().Be(HttpStatusCode.InsufficientStorage);
            (await refused.Content.ReadFromJsonAsync<ErrorBody>())!.Message.Should().Contain("2 runs").And.Contain("Viewer:MaxSceneRuns").And.Contain("DELETE");
        }

        (await _http.GetAsync(server.Http("api/system?run=c"))).StatusCode.Should().Be(HttpStatusCode.NotFound, "a refused scene is not stored");
        diagnostics.RefusalCount(RefusalReason.SceneRuns).Should().Be(1);
        (await PutAsync(server, "a", Scene(2000))).StatusCode.Should().Be(HttpStatusCode.NoContent, "a run that holds a scene may replace it");

        (await _http.DeleteAsync(server.Http("api/system?run=b"))).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await PutAsync(server, "c", Scene(1000))).StatusCode.Should().Be(HttpStatusCode.NoContent, "the deleted run's place is free");
        (await _http.GetByteArrayAsync(server.Http("api/system?run=c"))).Should().Equal(Scene(1000));
    }

    [Fact]
    public async Task A_scene_past_the_byte_limit_is_507_and_a_replaced_scene_counts_its_old_bytes_out()
    {
        await using var server = await ViewerTestServer.StartAsync(new Dictionary<string, string?> { ["Viewer:MaxTotalSceneBytes"] = "25000" });
        var diagnostics = server.GetRequiredService<HubDiagnostics>();
        (await PutAsync(server, "a", Scene(10_000))).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await PutAsync(server, "b", Scene(10_000))).StatusCode.Should().Be(HttpStatusCode.NoContent);

        using (var refused = await PutAsync(server, "c", Scene(10_000)))
        {
            refused.StatusCode.Should().Be(HttpStatusCode.InsufficientStorage);
            (await refused.Content.ReadFromJsonAsync<ErrorBody>())!.Message.Should().Contain("25000 bytes").And.Contain("Viewer:MaxTotalSceneBytes");
        }

        diagnostics.RefusalCount(RefusalReason.SceneBytes).Should().Be(1);

        // 14,000 + 10,000 fits once a's old 10,000 no longer count; 15,001 + 10,000 never does.
        (await PutAsync(server, "a", Scene(14_000))).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await PutAsync(server, "a", Scene(15_001))).StatusCode.Should().Be(HttpStatusCode.InsufficientStorage);
        (await _http.GetByteArrayAsync(server.Http("api/system?run=a"))).Should().Equal(Scene(14_000), "the refused replacement left the stored scene as it was");

        (await _http.DeleteAsync(server.Http("api/system?run=b"))).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await PutAsync(server, "c", Scene(11_000))).StatusCode.Should().Be(HttpStatusCode.NoContent, "the deleted scene's bytes are free");
    }

    [Fact]
    public async Task Chunked_uploads_are_kept_byte_for_byte_and_held_to_the_limits_too()
    {
        await using var server = await ViewerTestServer.StartAsync(new Dictionary<string, string?> { ["Viewer:MaxTotalSceneBytes"] = "300000" });
        var scene = Scene(200_001); // over three 64 KiB read chunks

        (await PutChunkedAsync(server, "a", scene)).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await _http.GetByteArrayAsync(server.Http("api/system?run=a"))).Should().Equal(scene);

        using var refused = await PutChunkedAsync(server, "b", Scene(100_000));
        refused.StatusCode.Should().Be(HttpStatusCode.InsufficientStorage);
        (await refused.Content.ReadFromJsonAsync<ErrorBody>())!.Message.Should().Contain("Viewer:MaxTotalSceneBytes");
        (await _http.GetAsync(server.Http("api/system?run=b"))).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Zero_turns_both_limits_off()
    {
        await using var server = await ViewerTestServer.StartAsync(new Dictionary<string, string?> { ["Viewer:MaxSceneRuns"] = "0", ["Viewer:MaxTotalSceneBytes"] = "0" });

        for (var run = 0; run < 70; run++)
        {
            (await PutAsync(server, $"run{run}", Scene(5_000))).StatusCode.Should().Be(HttpStatusCode.NoContent);
        }
    }

    [Theory]
    [InlineData("Viewer:MaxSceneRuns", "-1")]
    [InlineData("Viewer:MaxTotalSceneBytes", "-1")]
    public async Task Negative_limits_stop_the_start(string key, string value)
    {
        var start = () => ViewerTestServer.StartAsync(new Dictionary<string, string?> { [key] = value });

        (await start.Should().ThrowAsync<Microsoft.Extensions.Options.OptionsValidationException>()).Which.Message.Should().Contain(key);
    }

    public void Dispose() => _http.Dispose();

    /// <summary>A valid scene of exactly <paramref name="bytes"/> bytes.</summary>
    internal static byte[] Scene(int bytes)
    {
        const string head = "{\"geoms\": {}, \"pad\": \"";
        return Encoding.UTF8.GetBytes(head + new string('x', bytes - head.Length - 2) + "\"}");
    }

    private Task<HttpResponseMessage> PutChunkedAsync(ViewerTestServer server, string run, byte[] scene)
    {
        var content = new StreamContent(new MemoryStream(scene)) { Headers = { ContentType = new("application/json") } };
        var request = new HttpRequestMessage(HttpMethod.Put, server.Http($"api/system?run={run}")) { Content = content };
        request.Headers.TransferEncodingChunked = true;
        return _http.SendAsync(request);
    }

    private Task<HttpResponseMessage> PutAsync(ViewerTestServer server, string run, byte[] scene) =>
        _http.PutAsync(server.Http($"api/system?run={run}"), new ByteArrayContent(scene) { Headers = { ContentType = new("application/json") } });
}
