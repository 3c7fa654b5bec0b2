using System.Diagnostics;
using System.Text.RegularExpressions;
using Brax.Viewer.LoadGen.Frames;
using Brax.Viewer.LoadGen.Hosting;
using Brax.Viewer.Tests.Infrastructure;

namespace Brax.Viewer.Tests;

/// <summary>
/// The repository is self-contained: a fresh clone builds and passes its tests with nothing beside
/// it. Every path the test helpers and the load generator use lies inside the repository, and no
/// file of the repository refers to a folder next to it.
/// </summary>
public sealed partial class RepositoryTests
{
    private static readonly string Root = BraxFixtures.RepositoryRoot;

    // This file names the references it looks for in its own samples.
    private const string ThisFile = "Brax.Viewer.Tests/RepositoryTests.cs";

    // The name of the reference folder that sits beside the repository on the project's own machines.
    private const string FolderBeside = "shared";

    [Fact]
    public void Every_path_the_fixtures_and_the_server_process_hand_out_is_inside_the_repository()
    {
        var paths = BraxFixtures.AllPaths().Append(ServerProcess.ServerDll).ToList();

        paths.Should().HaveCountGreaterThan(10);
        foreach (var path in paths)
        {
            IsInsideRepository(path).Should().BeTrue("{0} must resolve inside {1}", path, Root);
        }

        File.Exists(Path.Combine(Root, "Brax.Viewer.sln")).Should().BeTrue("the root is the folder of the solution");
    }

    [Fact]
    public void The_load_generator_shapes_its_frames_after_the_repository_fixture()
    {
        FrameFactory.DefaultFixturePath.Should().NotBeNull("the load generator runs from a clone and finds its fixture");
        Path.GetFullPath(FrameFactory.DefaultFixturePath!).Should().Be(Path.GetFullPath(BraxFixtures.FramesFile("ant")));
        IsInsideRepository(FrameFactory.DefaultFixturePath!).Should().BeTrue();

        var frames = FrameFactory.Create(1_700, fixturePath: null);

        frames.Source.Should().Be("testdata/brax/ant.frames.jsonl", "reports name the fixture by its place in the repository, not by a machine's path");
    }

    // The examples name the folder beside the repository through {0}, so this file holds no such reference itself.
    [Theory]
    [InlineData("""see ../{0}/spec/protocol.md""")]
    [InlineData("""Path.Combine(root, "..", "{0}", "fixtures", "brax")""")]
    [InlineData("""<Compile Include="..\{0}\x.cs" />""")]
    [InlineData("""look for {0}/fixtures/brax/ant.frames.jsonl upwards""")]
    [InlineData("""copied from /work/{0}/design/style.md""")]
    public void The_scan_recognises_a_reference_outside_the_repository(string pattern)
    {
        var line = string.Format(System.Globalization.CultureInfo.InvariantCulture, pattern, FolderBeside);

        OutsideReference().IsMatch(line).Should().BeTrue();
    }

    [Theory]
    [InlineData("""testdata/brax/ant.frames.jsonl""")]
    [InlineData("""the shared connection, the frame backplane""")]
    [InlineData("""a frame shared by many raw viewers""")]
    public void The_scan_lets_ordinary_text_pass(string line)
    {
        OutsideReference().IsMatch(line).Should().BeFalse();
    }

    [Fact]
    public void No_file_of_the_repository_refers_to_a_folder_beside_it()
    {
        var files = RepositoryFiles();
        files.Should().Contain(["README.md", "test.sh", ThisFile], "the scan sees the repository's files");

        var references = new List<string>();
        foreach (var file in files)
        {
            var path = Path.Combine(Root, file);
            if (!File.Exists(path) || IsBinary(path))
            {
                continue;
            }

            var number = 0;
            foreach (var line in File.ReadLines(path))
            {
                number++;
                if (OutsideReference().IsMatch(line) && !IsRecordOfAPastBenchmarkRun(file, line))
                {
                    references.Add($"{file}:{number}: {line.Trim()}");
                }
            }
        }

        // As one text, so the failure lists every reference, not only the first.
        string.Join(Environment.NewLine, references).Should().BeEmpty("the repository must not read anything outside it; a clone has nothing beside it");
    }

    private static bool IsInsideRepository(string path)
    {
        var full = Path.GetFullPath(path);

        // A link that leads out of the repository is outside, whatever its own path says.
        if (new FileInfo(full) is { LinkTarget: not null } link && link.ResolveLinkTarget(returnFinalTarget: true) is { } target)
        {
            full = target.FullName;
        }

        var root = Path.GetFullPath(Root).TrimEnd(Path.DirectorySeparatorChar);
        return full == root || full.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal);
    }

    // A benchmark report records where its run read its frames: history that nothing reads back.
    private static bool IsRecordOfAPastBenchmarkRun(string file, string line) =>
        file.StartsWith("bench/results/", StringComparison.Ordinal)
        && file.EndsWith(".json", StringComparison.Ordinal)
        && line.TrimStart().StartsWith("\"FrameSource\":", StringComparison.Ordinal);

    /// <summary>The files a clone holds: tracked ones and new ones not ignored, or, without git metadata, the tree minus build output.</summary>
    private static List<string> RepositoryFiles()
    {
        if (!Path.Exists(Path.Combine(Root, ".git")))
        {
            string[] buildOutput = ["bin", "obj", "node_modules", "dist", "TestResults", "artifacts", "BenchmarkDotNet.Artifacts"];
            return Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories)
                .Select(f => Path.GetRelativePath(Root, f).Replace(Path.DirectorySeparatorChar, '/'))
                .Where(f => !f.Split('/').Any(part => buildOutput.Contains(part) || (part.StartsWith('.') && part is not ".github" and not ".ci")))
                .ToList();
        }

        var start = new ProcessStartInfo("git") { WorkingDirectory = Root, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "ls-files", "-z", "--cached", "--others", "--exclude-standard" })
        {
            start.ArgumentList.Add(argument);
        }

        using var git = Process.Start(start)!;
        var output = git.StandardOutput.ReadToEndAsync();
        var errors = git.StandardError.ReadToEndAsync();
        git.WaitForExit(TimeSpan.FromSeconds(30)).Should().BeTrue("git ls-files ends");
        git.ExitCode.Should().Be(0, "git ls-files lists the repository: {0}", errors.Result);
        return output.Result.Split('\0', StringSplitOptions.RemoveEmptyEntries).ToList();
    }

    private static bool IsBinary(string path)
    {
        Span<byte> head = stackalloc byte[8000];
        using var stream = File.OpenRead(path);
        var read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        return head[..read].Contains((byte)0);
    }

    // The folder beside the repository, as "../NAME" or "..\NAME", "NAME/fixtures|spec|design", or built with Path.Combine.
    [GeneratedRegex(@"\.\.[/\\]shared\b|\bshared[/\\](?:fixtures|spec|design)\b|""\.\.""\s*,\s*""shared""|""shared""\s*,\s*""(?:fixtures|spec|design)""")]
    private static partial Regex OutsideReference();
}
