using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Brax.Viewer.LoadGen.Hosting;
using Brax.Viewer.Tests.Infrastructure;

namespace Brax.Viewer.Tests.Startup;

/// <summary>
/// The built server, started as a process with each kind of mistake, ends at once with exit code 2
/// and one line on stderr naming the mistake: no stack trace, no error log.
/// </summary>
public sealed partial class StartupFailureTests : IDisposable
{
    // Generous for a loaded 2-core machine, still far below a server that hangs instead of exiting.
    private static readonly TimeSpan ExitWithin = TimeSpan.FromSeconds(10);

    private readonly DirectoryInfo _files = Directory.CreateTempSubdirectory("brax-viewer-startup-");

    public void Dispose() => _files.Delete(recursive: true);

    [Fact]
    public async Task A_system_file_that_is_not_JSON_is_named_with_its_line()
    {
        var file = Write("broken.json", "{\"geoms\": {}\n  \"states\": oops}");

        var exit = await RunAsync("--system", file);

        ShouldFailInOneLine(exit, $"--system {file}: not valid JSON (line 2: ");
    }

    [Fact]
    public async Task A_brax_v1_system_file_is_refused_as_such()
    {
        // The shape brax v0.1 wrote: a config with bodies, and poses beside it instead of geoms.
        var file = Write("v1.json", """{"config": {"bodies": [{"name": "torso"}]}, "pos": [[0, 0, 0]], "rot": [[1, 0, 0, 0]]}""");

        var exit = await RunAsync("--system", file);

        ShouldFailInOneLine(exit, $"--system {file}: brax v1 (config/pos/rot) scene format is not supported");
    }

    [Fact]
    public async Task A_missing_system_file_is_named()
    {
        var file = Path.Combine(_files.FullName, "nowhere.json");

        var exit = await RunAsync("--system", file);

        ShouldFailInOneLine(exit, $"--system {file}: no such file");
    }

    [Fact]
    public async Task The_system_switch_without_a_file_is_refused()
    {
        var exit = await RunAsync("--system");

        ShouldFailInOneLine(exit, "--system needs a FILE");
    }

    [Fact]
    public async Task An_invalid_option_value_is_named_by_its_validation()
    {
        var exit = await RunAsync("--Viewer:MaxFrameBytes=5");

        ShouldFailInOneLine(exit, "Viewer:MaxFrameBytes must be between 1 KiB and 2 GiB (is 5)");
    }

    [Fact]
    public async Task A_transport_block_size_out_of_range_is_named()
    {
        var exit = await RunAsync("--Viewer:TransportBlockBytes=1000");

        ShouldFailInOneLine(exit, "Viewer:TransportBlockBytes must be from 4096 to 1048576 (is 1000)");
    }

    [Fact]
    public async Task An_option_value_of_the_wrong_type_is_named()
    {
        var exit = await RunAsync("--Viewer:SendTimeout=5s");

        ShouldFailInOneLine(exit, "Viewer:SendTimeout: \"5s\" is not a time span");
    }

    [Fact]
    public async Task An_unknown_Viewer_setting_is_named_with_the_key_it_resembles()
    {
        var exit = await RunAsync("--Viewer:SendTimeoutSeconds=10");

        ShouldFailInOneLine(exit, "unknown setting Viewer:SendTimeoutSeconds (did you mean Viewer:SendTimeout?)");
    }

    [Fact]
    public async Task An_unknown_Viewer_setting_from_the_environment_is_named()
    {
        var exit = await RunAsync(["--urls", "http://127.0.0.1:0"], new Dictionary<string, string> { ["Viewer__Redis__Prefx"] = "team-a" });

        ShouldFailInOneLine(exit, "unknown setting Viewer:Redis:Prefx (did you mean Viewer:Redis:Prefix?)");
    }

    [Fact]
    public async Task A_port_already_in_use_is_named_with_the_address()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var url = $"http://127.0.0.1:{((IPEndPoint)taken.LocalEndpoint).Port}";

        var exit = await RunAsync(["--urls", url]);

        ShouldFailInOneLine(exit, $"{url}: address already in use");
    }

    [Fact]
    public async Task Known_settings_and_the_scene_switches_still_start_the_server()
    {
        // appsettings.json beside the dll, the --demo switch, and a key of every options section.
        await using var server = await ServerProcess.StartAsync(
            ["--urls", "http://127.0.0.1:0", "--demo", "--Viewer:SendTimeout=00:00:05", "--Viewer:MaxSceneBytes=1048576", "--viewer:redis:prefix=team-a"]);
        using var http = new HttpClient();

        (await http.GetStringAsync(server.Http("/api/system/info"))).Should().Contain("\"loaded\":true", "the demo loaded its scene");
    }

    private static void ShouldFailInOneLine(FinishedProcess exit, string problem)
    {
        exit.ExitCode.Should().Be(2, exit.ToString());
        exit.Elapsed.Should().BeLessThan(ExitWithin, exit.ToString());
        exit.StandardError.Should().ContainSingle(exit.ToString())
            .Which.Should().StartWith("brax-viewer: cannot start: ").And.Contain(problem);
        exit.AllLines.Should().NotContain(line => StackFrame().IsMatch(line), "a mistake is named, not thrown: " + exit);
        exit.StandardOutput.Should().NotContain(line => line.StartsWith("fail:", StringComparison.Ordinal) || line.StartsWith("crit:", StringComparison.Ordinal), exit.ToString());
    }

    private static Task<FinishedProcess> RunAsync(params string[] arguments) =>
        RunAsync(["--urls", "http://127.0.0.1:0", .. arguments], null);

    private static Task<FinishedProcess> RunAsync(string[] arguments, IDictionary<string, string>? environment) =>
        ServerExit.RunAsync(arguments, ExitWithin + TimeSpan.FromSeconds(20), environment);

    private string Write(string name, string content)
    {
        var path = Path.Combine(_files.FullName, name);
        File.WriteAllText(path, content);
        return path;
    }

    [GeneratedRegex(@"^\s+at \S")]
    private static partial Regex StackFrame();
}
