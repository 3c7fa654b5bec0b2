using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Brax.Viewer.Tests.Infrastructure;

namespace Brax.Viewer.Tests.JavaScript;

/// <summary>
/// The JavaScript client (clients/js, package brax-viewer-client) against the real server: each of
/// its test files runs as <c>node --test test/FILE</c> with the <c>ws</c> package from its lock,
/// beside two servers started here on loopback ports, one without keys and one with a streamer and
/// a viewer key. A test asks for the keyless server to be stopped and started again on the same
/// port through <see cref="ServerCommandSocket"/>, as the Python tests do through their output.
/// </summary>
public sealed partial class JsClientLibraryTests
{
    private const string StreamerKey = "js-streamer-key-0123456789";
    private const string ViewerKey = "js-viewer-key-0123456789";

    public static TheoryData<string> TestFiles() => new(TestFileNames());

    private static IEnumerable<string> TestFileNames() =>
        Directory.EnumerateFiles(Path.Combine(JsClientPackages.Root, "test"), "*.test.js").Order(StringComparer.Ordinal).Select(Path.GetFileName).OfType<string>();

    [Fact]
    public void Every_JavaScript_test_file_is_run()
    {
        // Guards the discovery above: a moved folder would otherwise make the theory empty and green.
        TestFileNames().Should().Contain(["frames.test.js", "control.test.js", "newest-frame.test.js", "send.test.js", "reconnect.test.js", "access.test.js", "scenes.test.js"]);
    }

    [Theory]
    [MemberData(nameof(TestFiles))]
    public async Task Node_test_file_passes_against_the_real_server(string file)
    {
        await JsClientPackages.EnsureRestoredAsync();
        await using var open = await RestartableServer.StartAsync();
        await using var commands = new ServerCommandSocket(open);
        await using var keyed = await ViewerTestServer.StartAsync(new Dictionary<string, string?> { ["Viewer:StreamerKey"] = StreamerKey, ["Viewer:ViewerKey"] = ViewerKey });

        var start = new ProcessStartInfo("node") { WorkingDirectory = JsClientPackages.Root };
        foreach (var argument in new[] { "--test", "--test-reporter=tap", "--test-timeout=60000", $"test/{file}" })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["BRAX_VIEWER_URL"] = open.Url;
        start.Environment["BRAX_VIEWER_KEYED_URL"] = keyed.BaseUri.ToString().TrimEnd('/');
        start.Environment["BRAX_VIEWER_STREAMER_KEY"] = StreamerKey;
        start.Environment["BRAX_VIEWER_VIEWER_KEY"] = ViewerKey;
        start.Environment["BRAX_VIEWER_SERVER_COMMANDS"] = commands.Path;

        var run = await FinishedProcess.RunAsync(start, TimeSpan.FromMinutes(3));

        var summary = $"node --test test/{file}:\n{run}";
        commands.Errors.Should().BeEmpty(summary);
        run.ExitCode.Should().Be(0, summary);
        Count(run, "pass").Should().BePositive(summary);
        Count(run, "fail").Should().Be(0, summary);
        (Count(run, "skipped") + Count(run, "todo") + Count(run, "cancelled")).Should().Be(0, "no test is skipped, left to do or cancelled: " + summary);
    }

    // The TAP reporter's closing lines: "# pass 5", "# fail 0", …
    private static int Count(FinishedProcess run, string what)
    {
        var line = run.StandardOutput.LastOrDefault(candidate => candidate.StartsWith($"# {what} ", StringComparison.Ordinal));
        line.Should().NotBeNull($"the TAP report closes with '# {what} N':\n{run}");
        return int.Parse(Counter().Match(line!).Value, CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"\d+$")]
    private static partial Regex Counter();
}
