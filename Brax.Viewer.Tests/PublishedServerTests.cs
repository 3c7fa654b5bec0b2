using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Brax.Viewer.LoadGen.Hosting;
using Brax.Viewer.Tests.Infrastructure;
using Brax.Viewer.Tests.ScaleOut;

namespace Brax.Viewer.Tests;

/// <summary>The <c>dotnet publish</c> output, started as App Service starts it: a port in <c>PORT</c>, Production, no --urls.</summary>
public sealed class PublishedServerTests : IAsyncLifetime
{
    private readonly string _publishDirectory = Path.Combine(Path.GetTempPath(), "brax-viewer-publish-" + Guid.NewGuid().ToString("N"));
    private RedisServer _redis = null!;

    public async Task InitializeAsync() => _redis = await RedisServer.StartAsync();

    public async Task DisposeAsync()
    {
        await _redis.DisposeAsync();
        if (Directory.Exists(_publishDirectory))
        {
            Directory.Delete(_publishDirectory, recursive: true);
        }
    }

    [Fact]
    public async Task Published_server_listens_on_PORT_in_Production_and_serves_health_readiness_and_raw_WebSockets()
    {
        await PublishAsync();
        var port = RedisServer.FreePort();
        await using var server = await ServerProcess.StartAsync(
            [],
            new Dictionary<string, string>
            {
                ["PORT"] = port.ToString(),
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
                ["ASPNETCORE_HTTP_PORTS"] = string.Empty,
                ["ConnectionStrings__Redis"] = _redis.ConnectionString,
            },
            Path.Combine(_publishDirectory, "Brax.Viewer.Server.dll"));

        server.BaseUri.Port.Should().Be(port, "App Service tells the app its port in PORT");
        using var http = new HttpClient();
        using (var health = await http.GetAsync(server.Http("healthz")))
        {
            health.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        await Eventually.HoldsAsync(
            () => http.GetAsync(server.Http("readyz")).Result.StatusCode == HttpStatusCode.OK,
            "the published server reaches Redis from ConnectionStrings__Redis");
        (await http.GetFromJsonAsync<JsonObject>(server.Http("readyz")))!["backplane"]!.GetValue<string>().Should().Be("redis");

        await using var control = await RawClient.ConnectAsync(server.WebSocket("ws/control"));
        (await control.ReceiveAsync()).Should().Be("""{"type":"set_render_state","enabled":true}""");
    }

    [Fact]
    public async Task Published_server_keeps_its_idle_thread_pool_workers_from_spinning()
    {
        await PublishAsync();

        var config = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(_publishDirectory, "Brax.Viewer.Server.runtimeconfig.json")))!;
        config["runtimeOptions"]!["configProperties"]!["System.Threading.ThreadPool.UnfairSemaphoreSpinLimit"]!.GetValue<int>()
            .Should().Be(0, "between frames a spinning worker burns the CPU a relay is measured by");
    }

    private async Task PublishAsync()
    {
        // Publish what the test run already built (same configuration), so this costs a copy, not a build.
        var configuration = AppContext.BaseDirectory.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = BraxFixtures.RepositoryRoot,
        };
        foreach (var argument in new[] { "publish", "Brax.Viewer.Server", "-c", configuration, "--no-build", "-o", _publishDirectory, "-nologo" })
        {
            start.ArgumentList.Add(argument);
        }

        using var publish = Process.Start(start)!;
        var output = publish.StandardOutput.ReadToEndAsync();
        var errors = publish.StandardError.ReadToEndAsync();
        await publish.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        publish.ExitCode.Should().Be(0, "dotnet publish succeeds: {0}{1}", await output, await errors);
        File.Exists(Path.Combine(_publishDirectory, "Brax.Viewer.Server.dll")).Should().BeTrue();
    }
}
