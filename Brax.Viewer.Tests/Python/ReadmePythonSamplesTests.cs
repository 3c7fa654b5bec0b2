using System.Diagnostics;
using System.Text.Json.Nodes;
using Brax.Viewer.Tests.Infrastructure;

namespace Brax.Viewer.Tests.Python;

/// <summary>
/// The Python and shell samples of the README's Clients section run against a real server: each in
/// a folder holding the <c>system.json</c> and <c>frames.jsonl</c> it names (the cart-pole fixture),
/// with <c>clients/python</c> on <c>PYTHONPATH</c> and the documented address replaced by the
/// server's, while a raw viewer watches the default run.
/// </summary>
public sealed class ReadmePythonSamplesTests
{
    private const string DocumentedAddress = "127.0.0.1:8000";

    public static TheoryData<int> Samples() => new(Enumerable.Range(0, RunSamples().Count));

    [Fact]
    public void The_Clients_section_has_Python_and_shell_samples_and_says_why_one_is_not_run()
    {
        var blocks = ReadmeBlocks.InSection("Clients");
        RunSamples().Select(block => block.Language).Should().Contain(["python", "bash"]);
        blocks.Where(block => block.NotRunReason is not null).Should().OnlyContain(block => block.NotRunReason!.Length > 0);
        blocks.Should().Contain(block => block.Language == "python" && block.NotRunReason != null && block.Text.Contains("WebViewer()", StringComparison.Ordinal),
            "the original's usage stands beside the new one");
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public async Task A_Python_or_shell_sample_of_the_Clients_section_streams_to_a_real_server(int index)
    {
        var sample = RunSamples()[index];
        sample.Text.Should().Contain(DocumentedAddress, "a run sample talks to the documented address");
        await using var server = await ViewerTestServer.StartAsync();
        await using var viewer = await RawClient.ConnectAsync(server.WebSocket("ws/frame"));
        await server.ViewersJoinedAsync(1);
        var directory = Directory.CreateTempSubdirectory("brax-readme-client-");
        try
        {
            File.Copy(BraxFixtures.SystemFile("cartpole"), Path.Combine(directory.FullName, "system.json"));
            File.Copy(BraxFixtures.FramesFile("cartpole"), Path.Combine(directory.FullName, "frames.jsonl"));
            var script = Path.Combine(directory.FullName, sample.Language == "python" ? "sample.py" : "sample.sh");
            await File.WriteAllTextAsync(script, sample.Text.Replace(DocumentedAddress, $"127.0.0.1:{server.BaseUri.Port}", StringComparison.Ordinal));
            var start = new ProcessStartInfo(sample.Language == "python" ? "/usr/bin/python3" : "bash")
            {
                WorkingDirectory = directory.FullName,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            foreach (var argument in sample.Language == "python" ? ["-u", script] : new[] { "-e", "-o", "pipefail", script })
            {
                start.ArgumentList.Add(argument);
            }

            start.Environment["PYTHONPATH"] = Path.Combine(BraxFixtures.RepositoryRoot, "clients", "python");
            start.Environment["PATH"] = "/usr/bin:" + Environment.GetEnvironmentVariable("PATH"); // python3 is Debian's
            start.Environment.Remove("BRAX_VIEWER_KEY");
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
            }

            process.ExitCode.Should().Be(0, $"the sample failed:\n{sample.Text}\n{await output}\n{await errors}");
            (await viewer.ReceiveAsync()).Should().Contain("\"pos\"", "the sample's frame reached a viewer of the server");
            using var http = new HttpClient();
            var info = JsonNode.Parse(await http.GetStringAsync(server.Http("api/system/info")))!;
            info["loaded"]!.GetValue<bool>().Should().BeTrue("the sample uploaded its scene");
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static List<ReadmeBlocks.Block> RunSamples() =>
        ReadmeBlocks.InSection("Clients").Where(block => block.Language is "python" or "bash" && block.NotRunReason is null).ToList();
}
