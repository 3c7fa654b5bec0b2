using System.Net;
using System.Text.Json.Nodes;
using Brax.Viewer.LoadGen.Hosting;
using Brax.Viewer.Tests.Infrastructure;

namespace Brax.Viewer.Tests.Robustness;

/// <summary>
/// <c>PUT /api/system?run=rN</c> of a 5 MB scene (the ant fixture with a long recorded trajectory,
/// what <c>brax.io.json.dumps(sys, states)</c> writes for a long rollout) to 30 runs, on the server as
/// its own process. Every upload is answered with a documented status (204, or 413/507 once a cap
/// is reached, never 500), and the server's resident memory, once settled, grows by less than
/// <see cref="Ceiling"/>.
/// </summary>
/// <remarks>
/// The ceiling: 30 scenes kept whole are 150 MB before the memory their uploads and parses leave
/// behind. With <c>Viewer:MaxTotalSceneBytes</c> at 32 MiB the server keeps six and parses within
/// bounds: 96 MiB is under two thirds of keeping them all, and room for the six it keeps and the
/// pools their uploads leave behind.
/// </remarks>
[Collection(MeasuringGroup.Name)]
public sealed class SceneMemoryAbuseTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const int Runs = 30;
    private const int SceneBytes = 5_000_000;
    private const long Ceiling = 96L * 1024 * 1024;

    // Six of the scenes fit; the default (256 MiB) would keep all thirty, as it should.
    private const long SceneCap = 32L * 1024 * 1024;

    [Fact]
    public async Task Thirty_runs_of_5_MB_scenes_leave_the_server_within_its_memory_ceiling()
    {
        await using var server = await ServerProcess.StartAsync(["--urls", "http://127.0.0.1:0", $"--Viewer:MaxTotalSceneBytes={SceneCap}"], ServerMemory.Environment);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        var scene = LargeScene();

        // Warm up the path with a small scene, then measure from there.
        (await PutAsync(http, server, "warmup", BraxFixtures.System("ant"))).Should().Be(HttpStatusCode.NoContent);
        var baseline = await ServerMemory.SettledResidentBytesAsync(server, http);

        var answers = new List<HttpStatusCode>();
        for (var run = 0; run < Runs; run++)
        {
            answers.Add(await PutAsync(http, server, $"r{run}", scene));
        }

        var growth = await ServerMemory.SettledResidentBytesAsync(server, http) - baseline;
        output.WriteLine($"{Runs} x {scene.Length} B scenes: answers {string.Join(", ", answers.GroupBy(a => a).Select(g => $"{(int)g.Key} x{g.Count()}"))}; server RSS {ServerMemory.MiB(baseline)} -> +{ServerMemory.MiB(growth)}; ceiling {ServerMemory.MiB(Ceiling)}");
        answers.Should().OnlyContain(
            answer => answer == HttpStatusCode.NoContent || answer == HttpStatusCode.RequestEntityTooLarge || answer == HttpStatusCode.InsufficientStorage,
            "every upload is stored or refused with a documented status");
        answers[0].Should().Be(HttpStatusCode.NoContent, "one 5 MB scene is well within every limit");
        growth.Should().BeLessThan(Ceiling, $"{Runs} large scenes may not grow the server without bound");
    }

    private static async Task<HttpStatusCode> PutAsync(HttpClient http, ServerProcess server, string run, byte[] scene)
    {
        using var content = new ByteArrayContent(scene);
        content.Headers.ContentType = new("application/json");
        using var response = await http.PutAsync(server.Http($"api/system?run={run}"), content);
        return response.StatusCode;
    }

    // The ant scene with its recorded trajectory repeated until the text is 5 MB.
    private static byte[] LargeScene()
    {
        var root = JsonNode.Parse(BraxFixtures.System("ant"))!.AsObject();
        var steps = root["states"]!["x"]!.AsArray();
        var step = steps[0]!.ToJsonString();
        var stepCount = (SceneBytes - root.ToJsonString().Length) / (step.Length + 1);
        for (var i = 0; i < stepCount; i++)
        {
            steps.Add(JsonNode.Parse(step));
        }

        var bytes = FuzzSnippets.Utf8(root.ToJsonString());
        bytes.Length.Should().BeInRange(SceneBytes - 10_000, SceneBytes + 10_000);
        return bytes;
    }
}
