using System.Globalization;
using System.Text;
using System.Text.Json;
using Brax.Viewer.LoadGen.Hosting;

namespace Brax.Viewer.LoadGen.Scenarios;

/// <summary>
/// <c>--compare</c>: the same load against a plain Node <c>ws</c> relay (<c>bench/node-relay</c>) and
/// against our server, one after the other, each server a fresh process pinned to its own core; then
/// the ratios each performance target is judged by. Rounds repeat the whole set, so the spread of
/// every ratio on a shared machine is in the report.
/// </summary>
internal sealed class Comparison(RunSettings settings, int rounds, string? serverCpu, Func<Scenario, Scenario> adjust)
{
    private const double MinimumWarmupSeconds = 20;
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>The scenarios run against both servers, by target; t3's SignalR viewers are ours alone.</summary>
    private static readonly (string Scenario, bool WithNode)[] Runs =
    [
        ("t1-raw-1000", true),
        ("t4-batched", true),
        ("t8-batched-1mb", true),
        ("t2-unthrottled", true),
        ("t3-signalr", false),
    ];

    private readonly List<Dictionary<string, (Report? Node, Report Ours)>> _rounds = [];

    public async Task<bool> RunAsync(CancellationToken cancellationToken)
    {
        var started = DateTimeOffset.UtcNow;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        settings.Log.WriteLine(Pinning());
        for (var round = 1; round <= rounds; round++)
        {
            var results = new Dictionary<string, (Report? Node, Report Ours)>();
            foreach (var (name, withNode) in Runs)
            {
                var scenario = Steady(adjust(ScenarioCatalog.Find(name)!));
                var node = withNode ? await RunAsync(scenario, node: true, round, cancellationToken) : null;
                var ours = await RunAsync(scenario, node: false, round, cancellationToken);
                results[name] = (node, ours);
            }

            _rounds.Add(results);
            settings.Log.WriteLine();
            settings.Log.WriteLine(Table(round, results));
        }

        var verdicts = Verdicts();
        var summary = Summary(started, clock.Elapsed, verdicts);
        Console.WriteLine(summary);
        Directory.CreateDirectory(settings.OutputDirectory);
        await File.WriteAllTextAsync(Path.Combine(settings.OutputDirectory, "compare.md"), summary, cancellationToken);
        var json = JsonSerializer.Serialize(
            new { StartedUtc = started, DurationSeconds = clock.Elapsed.TotalSeconds, Pinning = Pinning(), Verdicts = verdicts, Rounds = _rounds.Select(r => r.ToDictionary(p => p.Key, p => new { p.Value.Node, p.Value.Ours })) },
            Report.JsonOptions);
        await File.WriteAllTextAsync(Path.Combine(settings.OutputDirectory, "compare.json"), json, cancellationToken);
        Console.WriteLine($"reports: {Path.Combine(settings.OutputDirectory, "compare.md")}, compare.json");
        return verdicts.All(v => v.Met);
    }

    /// <summary>
    /// Both servers are compared in their steady state: the .NET server's tiered compilation of the
    /// frame path takes 15-25 s at these rates (28% of its CPU in a t4 window from 10 s to 25 s),
    /// V8's much less, so a short warm-up would charge start-up to ours.
    /// </summary>
    private static Scenario Steady(Scenario scenario) =>
        scenario with { WarmupSeconds = Math.Max(scenario.WarmupSeconds, MinimumWarmupSeconds) };

    /// <summary>Where the processes run; the generator is pinned by whoever started it (bench/run.sh --compare).</summary>
    private string Pinning()
    {
        var generator = File.Exists("/proc/self/status")
            ? File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("Cpus_allowed_list:", StringComparison.Ordinal))?.Split(':')[1].Trim()
            : null;
        return serverCpu is null
            ? $"not pinned: load generator on CPUs {generator ?? "?"}, servers unpinned (taskset not found)"
            : $"pinned with taskset: load generator on CPU {generator ?? "?"}, each server on CPU {serverCpu}";
    }

    private async Task<Report> RunAsync(Scenario scenario, bool node, int round, CancellationToken cancellationToken)
    {
        var who = node ? "node-ws" : "ours";
        var log = Path.Combine(settings.OutputDirectory, "compare", $"{scenario.Name}.{who}.server.log");
        IReadOnlyList<string> pin = serverCpu is null ? [] : ["taskset", "-c", serverCpu];
        await using var server = node
            ? await ServerProcess.StartCommandAsync([.. pin, "node", "relay.mjs"], NodeRelayDirectory(), [new("PORT", "0")], log, cancellationToken)
            : await ServerProcess.StartCommandAsync([.. pin, "dotnet", Path.GetFullPath(settings.ServerDll), .. ScenarioRunner.ServerArguments(scenario)], Path.GetDirectoryName(Path.GetFullPath(settings.ServerDll))!, settings.ServerEnvironment, log, cancellationToken);
        settings.Log.WriteLine($"round {round}: {scenario.Name} against {who} (pid {server.Pid})");
        var report = await new ScenarioRunner(scenario, settings with { ServerUrl = server.BaseUri, ServerPid = server.Pid }).RunAsync(cancellationToken);
        var folder = Path.Combine(settings.OutputDirectory, "compare");
        Directory.CreateDirectory(folder);
        await File.WriteAllTextAsync(Path.Combine(folder, $"{scenario.Name}.{who}.round{round}.json"), report.ToJson(), cancellationToken);
        return report;
    }

    private static string NodeRelayDirectory()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var relay = Path.Combine(directory.FullName, "bench", "node-relay");
            if (File.Exists(Path.Combine(relay, "relay.mjs")))
            {
                return Directory.Exists(Path.Combine(relay, "node_modules", "ws"))
                    ? relay
                    : throw new InvalidOperationException($"the Node relay's ws is not installed: (cd {relay} && npm ci)");
            }
        }

        throw new InvalidOperationException("bench/node-relay/relay.mjs not found above " + AppContext.BaseDirectory);
    }

    /// <summary>One judged figure per target and round, and its spread over the rounds.</summary>
    internal sealed record Verdict(string Target, string Measure, string Limit, IReadOnlyList<double> PerRound, bool Met)
    {
        public double Median => PerRound.Order().ElementAt(PerRound.Count / 2);
    }

    private List<Verdict> Verdicts()
    {
        Verdict Of(string target, string measure, string limit, Func<Dictionary<string, (Report? Node, Report Ours)>, double> value, Func<double, bool> met)
        {
            var values = _rounds.Select(value).ToList();
            return new Verdict(target, measure, limit, values, met(values.Order().ElementAt(values.Count / 2)));
        }

        static double Cpu(Report r) => r.Server.CpuMicrosPerDelivery;
        return
        [
            Of("1: 1000 raw x 60 fps, 1.7 KB", "delivered (ours)", "100%", r => r["t1-raw-1000"].Ours.Total.DeliveredRatio * 100, v => v >= 100),
            Of("1: 1000 raw x 60 fps, 1.7 KB", "CPU/delivery, ours / Node", "<= 0.8", r => Cpu(r["t1-raw-1000"].Ours) / Cpu(r["t1-raw-1000"].Node!), v => v <= 0.8),
            Of("1: 1000 raw x 60 fps, 1.7 KB", "p99, ours / Node", "<= 1.0", r => r["t1-raw-1000"].Ours.Total.Latency.P99Ms / r["t1-raw-1000"].Node!.Total.Latency.P99Ms, v => v <= 1.0),
            Of("2: 50 raw x 30 fps, 150 KB", "CPU/delivery, ours / Node", "<= 1.0", r => Cpu(r["t4-batched"].Ours) / Cpu(r["t4-batched"].Node!), v => v <= 1.0),
            Of("3: 4 raw x 10 fps, 1 MB", "CPU/delivery, ours / Node", "<= 1.25", r => Cpu(r["t8-batched-1mb"].Ours) / Cpu(r["t8-batched-1mb"].Node!), v => v <= 1.25),
            Of("4: 100 raw, unthrottled", "deliveries/s, ours / Node", ">= 2.0", r => r["t2-unthrottled"].Ours.Total.DeliveriesPerSecond / r["t2-unthrottled"].Node!.Total.DeliveriesPerSecond, v => v >= 2.0),
            Of("4: 100 raw, unthrottled", "p99 ms (ours)", "<= 50", r => r["t2-unthrottled"].Ours.Total.Latency.P99Ms, v => v <= 50),
            Of("4: 100 raw, unthrottled", "peak RSS MB (ours)", "<= 200", r => r["t2-unthrottled"].Ours.Server.PeakRssMb, v => v <= 200),
            Of("5: 500 JSON + 500 MessagePack x 60 fps", "CPU/delivery, SignalR / our raw (1)", "<= 1.2", r => Cpu(r["t3-signalr"].Ours) / Cpu(r["t1-raw-1000"].Ours), v => v <= 1.2),
        ];
    }

    private static string Table(int round, Dictionary<string, (Report? Node, Report Ours)> results)
    {
        var text = new StringBuilder();
        text.AppendLine(Inv, $"round {round}");
        text.AppendLine("| scenario | server | delivered | p99 ms | CPU µs/delivery (kernel) | deliveries/s | peak RSS MB | load before |");
        text.AppendLine("|---|---|---|---|---|---|---|---|");
        foreach (var (name, (node, ours)) in results)
        {
            foreach (var (who, r) in new[] { ("Node ws", node), ("ours", ours) })
            {
                if (r is not null)
                {
                    text.AppendLine(Inv, $"| {name} | {who} | {r.Total.DeliveredRatio:P2} | {r.Total.Latency.P99Ms:F1} | {r.Server.CpuMicrosPerDelivery:F1} ({r.Server.KernelMicrosPerDelivery:F1}) | {r.Total.DeliveriesPerSecond:N0} | {r.Server.PeakRssMb:F0} | {r.Machine.LoadBefore} |");
                }
            }
        }

        return text.ToString();
    }

    private string Summary(DateTimeOffset started, TimeSpan took, List<Verdict> verdicts)
    {
        var text = new StringBuilder();
        text.AppendLine(Inv, $"# Compare run of {started:yyyy-MM-dd HH:mm} UTC, {rounds} round(s), {took.TotalMinutes:F1} min");
        text.AppendLine();
        text.AppendLine(Pinning());
        text.AppendLine();
        text.AppendLine("| target | measure | limit | median | per round | verdict |");
        text.AppendLine("|---|---|---|---|---|---|");
        foreach (var v in verdicts)
        {
            text.AppendLine(Inv, $"| {v.Target} | {v.Measure} | {v.Limit} | {v.Median:F2} | {string.Join(", ", v.PerRound.Select(x => x.ToString("F2", Inv)))} | {(v.Met ? "met" : "NOT met")} |");
        }

        for (var i = 0; i < _rounds.Count; i++)
        {
            text.AppendLine();
            text.Append(Table(i + 1, _rounds[i]));
        }

        return text.ToString();
    }
}
