using System.Diagnostics;
using System.Text.Json.Nodes;
using Brax.Viewer.Server.Demo;
using Brax.Viewer.Tests.Infrastructure;

namespace Brax.Viewer.Tests.Docs;

/// <summary>
/// The code in README.md and docs/**/*.md works. Every C# block is the text of a file of the sample
/// project (docs/samples/Brax.Viewer.Samples), which the solution builds like a user's project;
/// every shell, Python and JavaScript block runs against a real server, unless a
/// <c>&lt;!-- sample: not run (REASON) --&gt;</c> line right above it says why it cannot. A block
/// without a language is text (a directory layout, a line of output), not a sample.
/// </summary>
public sealed class DocSampleTests
{
    // The address every sample uses; a run sample gets the test server's port in its place.
    private const string DocumentedAddress = "127.0.0.1:8000";

    private static readonly string[] RunnableLanguages = ["bash", "sh", "python", "js", "javascript"];

    private static readonly string SampleProject = Path.Combine(BraxFixtures.RepositoryRoot, "docs", "samples", "Brax.Viewer.Samples");

    // Where compiled C# samples live: the README's program, and the .NET client's sample app.
    private static readonly string[] SampleFolders = [SampleProject, Path.Combine(BraxFixtures.RepositoryRoot, "clients", "dotnet")];

    public static TheoryData<string> RunnableSamples()
    {
        var data = new TheoryData<string>();
        foreach (var sample in MarkdownSamples.All.Where(IsRun))
        {
            data.Add(sample.Location);
        }

        return data;
    }

    [Fact]
    public void The_documentation_has_samples_of_each_kind()
    {
        // Guards the parser: a change that found no blocks would make every other check pass.
        MarkdownSamples.All.Should().Contain(sample => sample.File == "README.md" && sample.Language == "csharp");
        MarkdownSamples.All.Should().Contain(sample => IsRun(sample), "some shell samples talk to the server");
        MarkdownSamples.All.Should().Contain(sample => IsRun(sample) && IsJavaScript(sample), "the README's JavaScript client sample is run");
        MarkdownSamples.All.Should().Contain(sample => sample.NotRunReason != null);
    }

    [Fact]
    public void Every_CSharp_sample_is_the_text_of_a_file_of_the_compiled_sample_project()
    {
        var files = SampleFolders.SelectMany(folder => Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories))
            .Where(file => !file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !file.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(file => File.ReadAllText(file).Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n'))
            .ToList();

        foreach (var sample in MarkdownSamples.All.Where(sample => sample.Language is "csharp" or "cs" or "c#"))
        {
            sample.NotRunReason.Should().BeNull($"{sample}: every C# sample compiles; none is exempt");
            files.Any(file => ContainsBlock(file, sample.Text)).Should().BeTrue(
                $"{sample} must appear verbatim (at any indentation) in a .cs file of a sample program the tests build (docs/samples, clients/dotnet):\n{sample.Text}");
        }
    }

    [Fact]
    public void Every_sample_that_is_not_run_says_why()
    {
        var unmarked = MarkdownSamples.All
            .Where(sample => sample.Language.Length > 0 && sample.Language is not ("csharp" or "cs" or "c#"))
            .Where(sample => !RunnableLanguages.Contains(sample.Language) && sample.NotRunReason is null)
            .Select(sample => sample.ToString());

        unmarked.Should().BeEmpty("the tests run only shell, Python and JavaScript samples; any other needs <!-- sample: not run (REASON) --> right above it");
        MarkdownSamples.All.Where(sample => sample.NotRunReason is { Length: 0 }).Select(sample => sample.ToString())
            .Should().BeEmpty("a sample that is not run says why");
        MarkdownSamples.StrayMarkers.Should().BeEmpty("a not-run marker stands on the line right above the fence it marks");
    }

    [Theory]
    [MemberData(nameof(RunnableSamples))]
    public async Task A_shell_Python_or_JavaScript_sample_runs_against_a_real_server(string location)
    {
        var sample = MarkdownSamples.All.Single(candidate => candidate.Location == location);
        sample.Text.Should().Contain(DocumentedAddress, $"{sample} is run, so it must talk to the server at {DocumentedAddress}; else mark it <!-- sample: not run (REASON) -->");

        await using var server = await ViewerTestServer.StartAsync();
        var directory = Directory.CreateTempSubdirectory("brax-viewer-sample-");
        try
        {
            // What the samples name: a Brax system file to upload (the demo's scene, 4 links), and a
            // curl configuration that makes any HTTP error status fail the sample.
            await File.WriteAllBytesAsync(Path.Combine(directory.FullName, "system.json"), DemoScene.SystemJson());
            File.Copy(BraxFixtures.FramesFile("cartpole"), Path.Combine(directory.FullName, "frames.jsonl"));
            await File.WriteAllTextAsync(Path.Combine(directory.FullName, ".curlrc"), "fail-with-body\nshow-error\nmax-time = 20\n");

            var (file, program, arguments) = sample.Language switch
            {
                "python" => ("sample.py", "/usr/bin/python3", new[] { "-u" }),
                "js" or "javascript" => ("sample.mjs", "node", []),
                _ => ("sample.sh", "bash", ["-e", "-o", "pipefail"]),
            };
            var script = Path.Combine(directory.FullName, file);
            await File.WriteAllTextAsync(script, sample.Text.Replace(DocumentedAddress, $"127.0.0.1:{server.BaseUri.Port}", StringComparison.Ordinal));
            var start = new ProcessStartInfo(program);
            foreach (var argument in arguments.Append(script))
            {
                start.ArgumentList.Add(argument);
            }

            if (IsJavaScript(sample))
            {
                await InstallJavaScriptClientAsync(directory.FullName);
            }

            start.WorkingDirectory = directory.FullName;
            start.Environment["CURL_HOME"] = directory.FullName;

            // As a user who installed the Python client: Debian's python3 with the package importable.
            start.Environment["PYTHONPATH"] = Path.Combine(BraxFixtures.RepositoryRoot, "clients", "python");
            start.Environment["PATH"] = "/usr/bin:" + Environment.GetEnvironmentVariable("PATH");
            start.Environment.Remove("BRAX_VIEWER_KEY");

            var run = await FinishedProcess.RunAsync(start, TimeSpan.FromSeconds(30));

            run.ExitCode.Should().Be(0, $"{sample} failed against the server:\n{sample.Text}\n{run}");
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task The_README_client_sample_receives_the_frame_it_streams()
    {
        await using var server = await ViewerTestServer.StartAsync();
        var configuration = AppContext.BaseDirectory.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
        var dll = Path.Combine(SampleProject, "bin", configuration, "net10.0", "Brax.Viewer.Samples.dll");
        File.Exists(dll).Should().BeTrue("the test project builds the sample project first");
        var start = new ProcessStartInfo("dotnet");
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add(server.BaseUri.ToString().TrimEnd('/'));

        var run = await FinishedProcess.RunAsync(start, TimeSpan.FromSeconds(30));

        run.ExitCode.Should().Be(0, run.ToString());
        run.StandardOutput.Should().ContainSingle(run.ToString());
        JsonNode.DeepEquals(JsonNode.Parse(run.StandardOutput[0]), JsonNode.Parse("""{"x":{"pos":[[0,0,0.5]],"rot":[[1,0,0,0]]}}"""))
            .Should().BeTrue($"the sample's viewer prints the frame its streamer sent, through the server: {run.StandardOutput[0]}");
    }

    private static bool IsRun(DocSample sample) => RunnableLanguages.Contains(sample.Language) && sample.NotRunReason is null;

    private static bool IsJavaScript(DocSample sample) => sample.Language is "js" or "javascript";

    /// <summary>
    /// As a user who installed the JavaScript client and ws: copies of both in the sample's
    /// node_modules, the client's package as it would be packed, ws as its lock restores it
    /// (ES modules ignore NODE_PATH).
    /// </summary>
    private static async Task InstallJavaScriptClientAsync(string directory)
    {
        await JsClientPackages.EnsureRestoredAsync();
        var package = Path.Combine(directory, "node_modules", "brax-viewer-client");
        foreach (var file in new[] { "package.json", "index.d.ts" })
        {
            Copy(Path.Combine(JsClientPackages.Root, file), Path.Combine(package, file));
        }

        CopyDirectory(Path.Combine(JsClientPackages.Root, "src"), Path.Combine(package, "src"));
        CopyDirectory(Path.Combine(JsClientPackages.NodeModules, "ws"), Path.Combine(directory, "node_modules", "ws"));
    }

    private static void CopyDirectory(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)));
        }
    }

    private static void Copy(string from, string to)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(to)!);
        File.Copy(from, to);
    }

    /// <summary>Whether <paramref name="block"/>'s lines follow each other in <paramref name="file"/>, each behind the same indentation.</summary>
    private static bool ContainsBlock(string[] file, string block)
    {
        var lines = block.TrimEnd('\n').Split('\n');
        for (var start = 0; start + lines.Length <= file.Length; start++)
        {
            if (!file[start].EndsWith(lines[0], StringComparison.Ordinal))
            {
                continue;
            }

            var indent = file[start][..^lines[0].Length];
            if (indent.Trim().Length == 0 && lines.Select((line, i) => line.Length == 0 ? file[start + i].Trim().Length == 0 : file[start + i] == indent + line).All(match => match))
            {
                return true;
            }
        }

        return false;
    }
}
