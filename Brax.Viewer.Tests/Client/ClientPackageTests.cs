using System.Diagnostics;
using System.IO.Compression;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using Brax.Viewer.Tests.Infrastructure;

namespace Brax.Viewer.Tests.Client;

/// <summary>
/// Brax.Viewer.Client is a package a user can take: packed from a clone whose remote is on GitHub,
/// it carries its id, description, MIT licence expression, README and Source Link; a sample console
/// program (clients/dotnet/Brax.Viewer.Client.Sample) restores it from a local folder feed beside the
/// machine's usual NuGet source, builds, and runs against a real server.
/// </summary>
public sealed class ClientPackageTests
{
    // Any GitHub address will do: Source Link turns the remote and commit into raw-content links.
    private const string Remote = "https://github.com/brax-viewer-hub/brax-viewer-hub.git";
    private static readonly Guid SourceLinkKind = new("CC110556-A091-4D38-9FEC-25AB9A351A6A");
    private static readonly string Root = BraxFixtures.RepositoryRoot;
    private static readonly string SampleProject = Path.Combine(Root, "clients", "dotnet", "Brax.Viewer.Client.Sample");

    [Fact]
    public async Task The_packed_library_carries_its_metadata_and_Source_Link_and_runs_the_sample_from_a_folder_feed()
    {
        var work = Directory.CreateTempSubdirectory("brax-client-package-");
        var version = $"0.1.0-test.{DateTime.UtcNow:yyyyMMddHHmmss}.{Environment.ProcessId}";
        var packagesFolder = Path.Combine(Environment.GetEnvironmentVariable("NUGET_PACKAGES") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages"), "brax.viewer.client", version);
        try
        {
            // A clone of this commit whose origin is on GitHub, with the library's files as they are now.
            var clone = Path.Combine(work.FullName, "repo");
            var commit = (await RunAsync("git", Root, "rev-parse", "HEAD")).Trim();
            await RunAsync("git", work.FullName, "clone", "--quiet", "--no-checkout", Root, clone);
            await RunAsync("git", clone, "checkout", "--quiet", "--detach", commit);
            await RunAsync("git", clone, "remote", "set-url", "origin", Remote);
            foreach (var file in Directory.EnumerateFiles(Path.Combine(Root, "Brax.Viewer.Client")))
            {
                File.Copy(file, Path.Combine(clone, "Brax.Viewer.Client", Path.GetFileName(file)), overwrite: true);
            }

            foreach (var file in new[] { "Directory.Build.props", "Directory.Packages.props", "global.json", ".editorconfig" })
            {
                File.Copy(Path.Combine(Root, file), Path.Combine(clone, file), overwrite: true);
            }

            var feed = Path.Combine(work.FullName, "feed");
            await RunAsync("dotnet", clone, "pack", "Brax.Viewer.Client", "-c", "Release", "-o", feed, $"-p:Version={version}", "-p:ContinuousIntegrationBuild=true");
            var package = Path.Combine(feed, $"Brax.Viewer.Client.{version}.nupkg");
            File.Exists(package).Should().BeTrue();
            CheckPackage(package, commit);

            // The sample, copied away from the repository's build settings, restored from the feed.
            var sample = Path.Combine(work.FullName, "sample");
            Directory.CreateDirectory(sample);
            foreach (var file in Directory.EnumerateFiles(SampleProject).Where(file => file.EndsWith(".cs", StringComparison.Ordinal) || file.EndsWith(".csproj", StringComparison.Ordinal)))
            {
                File.Copy(file, Path.Combine(sample, Path.GetFileName(file)));
            }

            var restore = new List<string> { "restore", "--source", feed };
            foreach (var source in await UsualSourcesAsync(work.FullName))
            {
                restore.AddRange(["--source", source]);
            }

            restore.Add($"-p:BraxViewerClientVersion={version}");
            await RunAsync("dotnet", sample, [.. restore]);
            await RunAsync("dotnet", sample, "build", "--no-restore", "-c", "Release", $"-p:BraxViewerClientVersion={version}");

            await using var server = await ViewerTestServer.StartAsync();
            var output = await RunAsync("dotnet", sample, Path.Combine(sample, "bin", "Release", "net10.0", "Brax.Viewer.Client.Sample.dll"), server.BaseUri.ToString().TrimEnd('/'));

            var printed = JsonNode.Parse(output.Split('\n')[0])!;
            printed["x"]!["pos"]!.AsArray().Should().ContainSingle("the sample's viewer prints a frame its streamer sent: " + output);
            printed["x"]!["pos"]![0]![2]!.GetValue<double>().Should().Be(0.5);
            Directory.Exists(packagesFolder).Should().BeTrue("the sample was restored from the packed version, not from an older one");
        }
        finally
        {
            work.Delete(recursive: true);
            if (Directory.Exists(packagesFolder))
            {
                Directory.Delete(packagesFolder, recursive: true);
            }
        }
    }

    [Fact]
    public void The_READMEs_dotnet_client_sample_is_the_text_of_the_sample_program()
    {
        var program = File.ReadAllText(Path.Combine(SampleProject, "Program.cs"));
        var blocks = ReadmeBlocks.InSection("Clients", "csharp");

        blocks.Should().NotBeEmpty("the README's Clients section shows the .NET usage");
        foreach (var block in blocks)
        {
            program.Should().Contain(block, "every C# block of the Clients section is the text of the sample program, which the package test runs");
        }
    }

    private static void CheckPackage(string package, string commit)
    {
        using var zip = ZipFile.OpenRead(package);
        var nuspecEntry = zip.Entries.Single(entry => entry.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
        XDocument nuspec;
        using (var stream = nuspecEntry.Open())
        {
            nuspec = XDocument.Load(stream);
        }

        var metadata = nuspec.Root!.Elements().Single(element => element.Name.LocalName == "metadata");
        string Value(string name) => metadata.Elements().Single(element => element.Name.LocalName == name).Value;
        Value("id").Should().Be("Brax.Viewer.Client");
        Value("description").Should().Contain("BraxViewerClient");
        var license = metadata.Elements().Single(element => element.Name.LocalName == "license");
        (license.Attribute("type")!.Value, license.Value).Should().Be(("expression", "MIT"));
        Value("readme").Should().Be("README.md");
        zip.GetEntry("README.md").Should().NotBeNull("the README is in the package");
        var repository = metadata.Elements().Single(element => element.Name.LocalName == "repository");
        repository.Attribute("url")!.Value.Should().Be(Remote);
        repository.Attribute("commit")!.Value.Should().Be(commit);
        metadata.Descendants().Where(element => element.Name.LocalName == "dependency").Select(element => element.Attribute("id")!.Value)
            .Should().Contain("Microsoft.AspNetCore.SignalR.Client").And.NotContain(id => id.StartsWith("Brax.Viewer.Hubs", StringComparison.Ordinal));

        var dll = zip.Entries.Single(entry => entry.FullName == "lib/net10.0/Brax.Viewer.Client.dll");
        using var copy = new MemoryStream();
        using (var stream = dll.Open())
        {
            stream.CopyTo(copy);
        }

        copy.Position = 0;
        using var pe = new PEReader(copy);
        var embedded = pe.ReadDebugDirectory().Where(entry => entry.Type == DebugDirectoryEntryType.EmbeddedPortablePdb).ToList();
        embedded.Should().ContainSingle("the PDB travels inside the assembly");
        using var pdb = pe.ReadEmbeddedPortablePdbDebugDirectoryData(embedded[0]);
        var reader = pdb.GetMetadataReader();
        var sourceLink = reader.CustomDebugInformation.Select(reader.GetCustomDebugInformation)
            .Where(information => reader.GetGuid(information.Kind) == SourceLinkKind)
            .Select(information => Encoding.UTF8.GetString(reader.GetBlobBytes(information.Value)))
            .Should().ContainSingle("the PDB holds Source Link").Which;
        var documents = JsonNode.Parse(sourceLink)!["documents"]!.AsObject();
        documents.Select(pair => pair.Value!.GetValue<string>()).Should().Contain($"https://raw.githubusercontent.com/brax-viewer-hub/brax-viewer-hub/{commit}/*");
    }

    /// <summary>The enabled NuGet sources of the machine, as <c>dotnet nuget list source</c> names them.</summary>
    private static async Task<IReadOnlyList<string>> UsualSourcesAsync(string directory)
    {
        var listed = await RunAsync("dotnet", directory, "nuget", "list", "source", "--format", "short");
        var sources = listed.Split('\n').Select(line => line.Trim()).Where(line => line.StartsWith("E ", StringComparison.Ordinal)).Select(line => line[2..].Trim()).ToList();
        sources.Should().NotBeEmpty("the machine has a NuGet source for the sample's other packages");
        return sources;
    }

    private static async Task<string> RunAsync(string program, string directory, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', arguments)} ran longer than 2 minutes");
        }

        var text = await output;
        process.ExitCode.Should().Be(0, $"{program} {string.Join(' ', arguments)} in {directory}:\n{text}\n{await errors}");
        return text;
    }
}
