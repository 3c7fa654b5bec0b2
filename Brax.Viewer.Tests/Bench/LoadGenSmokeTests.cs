using System.Text.Json;
using Brax.Viewer.LoadGen.Scenarios;
using Brax.Viewer.Tests.Infrastructure;

namespace Brax.Viewer.Tests.Bench;

/// <summary>
/// Keeps the benchmark suite working: the load generator's <c>smoke</c> scenario against the real
/// server on a loopback port. It checks that the suite measures correctly, not the performance targets.
/// It asserts that every frame arrives, so it runs alone, like the other tests that depend on timing.
/// </summary>
[Collection(MeasuringGroup.Name)]
public sealed class LoadGenSmokeTests : IDisposable
{
    private readonly DirectoryInfo _output = Directory.CreateTempSubdirectory("brax-bench-");

    [Fact]
    public async Task Smoke_scenario_delivers_every_frame_to_every_kind_of_viewer_and_writes_a_well_formed_report()
    {
        await using var server = await ViewerTestServer.StartAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var scenario = ScenarioCatalog.Find("smoke")!;
        var settings = new RunSettings
        {
            ServerUrl = server.BaseUri,

            // The server runs in this process: its CPU and memory figures are this process's, which is enough to see they are read.
            ServerPid = Environment.ProcessId,
            OutputDirectory = _output.FullName,
        };

        var report = await new ScenarioRunner(scenario, settings).RunAsync(timeout.Token);

        report.Deliveries.Keys.Should().BeEquivalentTo("raw", "json", "msgpack", "total");
        foreach (var (kind, delivery) in report.Deliveries)
        {
            delivery.Expected.Should().BeGreaterThan(0, kind);
            delivery.Delivered.Should().Be(delivery.Expected, $"every frame reaches every {kind} viewer at 20 fps");
            delivery.Skipped.Should().Be(0, kind);
            delivery.OutOfOrder.Should().Be(0, kind);
            delivery.Unreadable.Should().Be(0, kind);
            delivery.Latency.Samples.Should().Be(delivery.Delivered, kind);
            delivery.Latency.P50Ms.Should().BeGreaterThan(0).And.BeLessThanOrEqualTo(delivery.Latency.MaxMs, kind);
        }

        report.Deliveries["total"].Viewers.Should().Be(6);
        report.FrameBytes.Should().BeInRange(1_500, 1_900);
        report.Server.CpuSeconds.Should().BeGreaterThan(0);
        report.Server.RssMb.Should().BeGreaterThan(0);
        report.Checks.Should().ContainSingle(c => c.Name == "delivered ratio").Which.Passed.Should().BeTrue();

        var json = report.ToJson();
        using var document = JsonDocument.Parse(json);
        document.RootElement.GetProperty("Scenario").GetProperty("Name").GetString().Should().Be("smoke");
        document.RootElement.GetProperty("Deliveries").GetProperty("total").GetProperty("Latency").GetProperty("P99Ms").GetDouble().Should().BePositive();
        Report.TryLoad(WriteReport(json))!.Total.Delivered.Should().Be(report.Total.Delivered);
        report.ToTable().Should().Contain("smoke").And.Contain("MET    delivered ratio");
    }

    public void Dispose() => _output.Delete(recursive: true);

    private string WriteReport(string json)
    {
        var path = Path.Combine(_output.FullName, "smoke.json");
        File.WriteAllText(path, json);
        return path;
    }
}
