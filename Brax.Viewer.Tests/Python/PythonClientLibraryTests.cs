using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Brax.Viewer.Tests.Infrastructure;

namespace Brax.Viewer.Tests.Python;

/// <summary>
/// The Python client library (clients/python, package braxviewer_client) against the real server:
/// each of its unittest modules runs as <c>python3 -m unittest tests.MODULE</c> with Debian's
/// interpreter and python3-websockets, beside two servers started here on loopback ports, one
/// without keys and one with a streamer and a viewer key. A module asks for the keyless server to
/// be stopped and started again on the same port by printing <c>@@braxtest stop</c> or
/// <c>@@braxtest start</c>; the answer <c>ok</c> goes to its standard input once done.
/// </summary>
public sealed partial class PythonClientLibraryTests
{
    private const string Python = "/usr/bin/python3";
    private const string StreamerKey = "python-streamer-key-0123456789";
    private const string ViewerKey = "python-viewer-key-0123456789";

    private static string PythonRoot => Path.Combine(BraxFixtures.RepositoryRoot, "clients", "python");

    public static TheoryData<string> Modules() => new(ModuleNames());

    private static IEnumerable<string> ModuleNames() =>
        Directory.EnumerateFiles(Path.Combine(PythonRoot, "tests"), "test_*.py").Order(StringComparer.Ordinal).Select(Path.GetFileNameWithoutExtension).OfType<string>();

    [Fact]
    public void Every_Python_test_module_is_run()
    {
        // Guards the discovery above: a moved folder would otherwise make the theory empty and green.
        ModuleNames().Should().Contain(["test_frames", "test_streamer", "test_control", "test_coalescing", "test_reconnect", "test_access", "test_scene", "test_viewer", "test_cli", "test_examples", "test_packaging"]);
    }

    [Theory]
    [MemberData(nameof(Modules))]
    public async Task Python_unittest_module_passes_against_the_real_server(string module)
    {
        File.Exists(Python).Should().BeTrue("the test command installs Debian's python3 with python3-websockets");
        await using var open = await RestartableServer.StartAsync();
        await using var keyed = await ViewerTestServer.StartAsync(new Dictionary<string, string?> { ["Viewer:StreamerKey"] = StreamerKey, ["Viewer:ViewerKey"] = ViewerKey });

        var start = new ProcessStartInfo(Python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = PythonRoot,
        };
        foreach (var argument in new[] { "-u", "-m", "unittest", "-v", $"tests.{module}" })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["PYTHONPATH"] = PythonRoot;
        start.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
        start.Environment.Remove("BRAX_VIEWER_KEY");
        start.Environment["BRAX_VIEWER_URL"] = open.Url;
        start.Environment["BRAX_VIEWER_KEYED_URL"] = keyed.BaseUri.ToString().TrimEnd('/');
        start.Environment["BRAX_VIEWER_STREAMER_KEY"] = StreamerKey;
        start.Environment["BRAX_VIEWER_VIEWER_KEY"] = ViewerKey;

        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        var output = new StringBuilder();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        try
        {
            while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                if (!line.StartsWith("@@braxtest ", StringComparison.Ordinal))
                {
                    output.AppendLine(line);
                    continue;
                }

                await open.HandleAsync(line["@@braxtest ".Length..]);
                await process.StandardInput.WriteLineAsync("ok");
                await process.StandardInput.FlushAsync();
            }

            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"tests.{module} ran longer than 3 minutes:\n{output}\n{await errors}");
        }

        var report = await errors;
        var summary = $"tests.{module}:\n{report}\n{output}";
        process.ExitCode.Should().Be(0, summary);
        var ran = RanLine().Match(report);
        ran.Success.Should().BeTrue(summary);
        int.Parse(ran.Groups[1].Value, CultureInfo.InvariantCulture).Should().BePositive(summary);
        report.TrimEnd().Split('\n')[^1].Trim().Should().Be("OK", "no test is skipped or expected to fail: " + summary);
    }

    [GeneratedRegex(@"^Ran (\d+) tests? in", RegexOptions.Multiline)]
    private static partial Regex RanLine();
}
