using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Brax.Viewer.LoadGen.Hosting;
using Brax.Viewer.Tests.Infrastructure;

namespace Brax.Viewer.Tests.Scenes;

/// <summary>
/// Uploading large scenes under ever new run names costs the server what the scene limits allow and
/// little more: it keeps the bytes, not a document many times their size, and refuses past the limit.
/// The server runs as its own process, so its resident memory is its own.
/// </summary>
[Collection(MeasuringGroup.Name)]
public sealed class SceneMemoryTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const long MiB = 1024 * 1024;
    private const int SceneBytes = 8_000_000;
    private const int Uploads = 30;
    private const long MaxTotal = 32 * MiB;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Thirty_large_uploads_under_new_run_names_keep_memory_within_the_scene_limit(bool declared)
    {
        await using var server = await ServerProcess.StartAsync(["--urls", "http://127.0.0.1:0", $"--Viewer:MaxTotalSceneBytes={MaxTotal}", "--Logging:LogLevel:Brax=Error"]);
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(2) };
        var scene = Scene();

        // Warm up (JIT, the first large buffers) with one upload, then delete it.
        (await PutAsync(http, server, "warm-up", scene, declared)).Should().Be(HttpStatusCode.NoContent);
        (await http.DeleteAsync(server.Http("api/system?run=warm-up"))).StatusCode.Should().Be(HttpStatusCode.NoContent);
        var baseline = server.ResidentBytes();

        var statuses = new List<HttpStatusCode>();
        var peak = baseline;
        for (var run = 0; run < Uploads; run++)
        {
            statuses.Add(await PutAsync(http, server, $"run{run}", scene, declared));
            peak = Math.Max(peak, server.ResidentBytes());
        }

        var growth = server.ResidentBytes() - baseline;
        var refused = (await http.GetFromJsonAsync<JsonObject>(server.Http("api/diagnostics")))!["refused"]!["scene_bytes"]!.GetValue<long>();
        output.WriteLine($"{Uploads} uploads of {SceneBytes / 1e6:F0} MB ({(declared ? "declared length" : "chunked")}): {statuses.Count(s => s == HttpStatusCode.NoContent)} stored, {refused} refused; server RSS {baseline / (double)MiB:F0} MiB, +{growth / (double)MiB:F0} MiB after, peak +{(peak - baseline) / (double)MiB:F0} MiB (limit {MaxTotal / MiB} MiB)");

        statuses.Take(4).Should().AllBeEquivalentTo(HttpStatusCode.NoContent, "four scenes of 8 MB fit in 32 MiB");
        statuses.Skip(4).Should().AllBeEquivalentTo(HttpStatusCode.InsufficientStorage);
        refused.Should().Be(Uploads - 4);

        // What is kept (32 MB), and for chunked uploads, which are read before the store can refuse
        // them, the pooled chunks they were read into. A document of each upload (about 16 times
        // its size), reading them into a growing array (about 3 times) or keeping all 30 (240 MB)
        // passes it by far.
        growth.Should().BeLessThan(MaxTotal + (declared ? 16 * MiB : 32 * MiB));
    }

    private static async Task<HttpStatusCode> PutAsync(HttpClient http, ServerProcess server, string run, byte[] scene, bool declared)
    {
        HttpContent content = declared ? new ByteArrayContent(scene) : new StreamContent(new MemoryStream(scene));
        content.Headers.ContentType = new("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Put, server.Http($"api/system?run={run}")) { Content = content };
        request.Headers.TransferEncodingChunked = !declared;
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }

    /// <summary>A valid scene of exactly <see cref="SceneBytes"/> bytes, mostly numbers, as a long recorded trajectory is.</summary>
    private static byte[] Scene()
    {
        var text = new StringBuilder("{\"geoms\": {}, \"trajectory\": [");
        var random = new Random(1);
        while (text.Length < SceneBytes - 64)
        {
            text.Append(random.NextDouble().ToString("R", System.Globalization.CultureInfo.InvariantCulture)).Append(',');
        }

        text.Append('0').Append("], \"pad\": \"");
        text.Append('x', SceneBytes - text.Length - 2).Append("\"}");
        return Encoding.UTF8.GetBytes(text.ToString());
    }
}
