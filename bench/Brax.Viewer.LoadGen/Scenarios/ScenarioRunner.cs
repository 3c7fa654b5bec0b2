using System.Diagnostics;
using Brax.Viewer.LoadGen.Clients;
using Brax.Viewer.LoadGen.Frames;
using Brax.Viewer.LoadGen.Hosting;
using Brax.Viewer.LoadGen.Metrics;

namespace Brax.Viewer.LoadGen.Scenarios;

/// <summary>Where the server is and where results go.</summary>
internal sealed record RunSettings
{
    /// <summary>A running server to target; null starts <see cref="ServerDll"/> as a child process.</summary>
    public Uri? ServerUrl { get; init; }

    /// <summary>Process id of the server at <see cref="ServerUrl"/>, for its CPU and memory; null skips them.</summary>
    public int? ServerPid { get; init; }

    public string ServerDll { get; init; } = "Brax.Viewer.Server/bin/Release/net10.0/Brax.Viewer.Server.dll";

    public string? FixturePath { get; init; }

    /// <summary>Environment variables for the started server only (runtime knobs such as <c>DOTNET_gcServer</c>).</summary>
    public IReadOnlyDictionary<string, string> ServerEnvironment { get; init; } = new Dictionary<string, string>();

    public string OutputDirectory { get; init; } = "bench/results";

    public TextWriter Log { get; init; } = TextWriter.Null;
}

/// <summary>
/// Runs one scenario: connect everyone, stream through a warm-up, open the measurement window,
/// stop the streamers, let in-flight frames drain, then read every viewer's counts.
/// </summary>
internal sealed class ScenarioRunner(Scenario scenario, RunSettings settings)
{
    // Long enough for viewers that fell seconds behind to catch up, so "lost" means lost, not late
    // (lateness is in the latency figures); a run still ends by itself.
    private static readonly TimeSpan DrainLimit = TimeSpan.FromSeconds(10);

    public async Task<Report> RunAsync(CancellationToken cancellationToken)
    {
        var started = DateTimeOffset.UtcNow;
        var loadBefore = LoadAverage();
        ServerProcess? child = null;
        Uri server;
        int? pid;
        if (settings.ServerUrl is { } url)
        {
            (server, pid) = (url, settings.ServerPid);
        }
        else
        {
            var logPath = Path.Combine(settings.OutputDirectory, $"{scenario.Name}.server.log");
            child = await ServerProcess.StartAsync(ServerArguments(scenario), settings.ServerEnvironment, settings.ServerDll, logPath, cancellationToken);
            (server, pid) = (child.BaseUri, child.Pid);
            settings.Log.WriteLine($"server pid {child.Pid} at {child.BaseUri}");
        }

        try
        {
            using var connector = new Connector(scenario.SourceAddresses);
            return scenario.Idle
                ? await RunIdleAsync(connector, server, pid, started, loadBefore, cancellationToken)
                : await RunStreamingAsync(connector, server, pid, started, loadBefore, cancellationToken);
        }
        finally
        {
            if (child is not null)
            {
                await child.DisposeAsync();
            }
        }
    }

    /// <summary>A free loopback port, the scenario's own arguments last so they can override.</summary>
    internal static IEnumerable<string> ServerArguments(Scenario scenario) =>
    [
        "--urls", "http://127.0.0.1:0",

        // Per-connection information logs would be measured as server cost; warnings still show,
        // and so does the line that says where the server listens.
        "--Logging:LogLevel:Default=Warning",
        "--Logging:LogLevel:Microsoft.Hosting.Lifetime=Information",
        .. scenario.ServerArgs,
    ];

    private async Task<Report> RunStreamingAsync(Connector connector, Uri server, int? pid, DateTimeOffset started, string loadBefore, CancellationToken cancellationToken)
    {
        var frames = FrameFactory.Create(scenario.FrameBytes, settings.FixturePath);
        var window = new MeasurementWindow(scenario.Streamers);
        var latencies = new Dictionary<ViewerKind, ThreadLocal<LatencyHistogram>>();
        foreach (var kind in Enum.GetValues<ViewerKind>())
        {
            latencies[kind] = new ThreadLocal<LatencyHistogram>(() => new LatencyHistogram(), trackAllValues: true);
        }

        var viewers = new List<IViewer>();
        var streamers = new List<Streamer>();
        try
        {
            settings.Log.WriteLine($"connecting {scenario.Viewers} viewers");
            viewers.AddRange(await ConnectViewersAsync(connector, server, window, latencies, cancellationToken));
            for (var i = 0; i < scenario.Streamers; i++)
            {
                streamers.Add(await Streamer.ConnectAsync(connector, server, frames, i, scenario.Fps, cancellationToken));
            }

            settings.Log.WriteLine($"streaming {scenario.Streamers} x {(scenario.Fps > 0 ? $"{scenario.Fps} fps" : "unthrottled")}, {frames.AverageLength} B frames; warm-up {scenario.WarmupSeconds} s");
            streamers.ForEach(s => s.Start());
            await Task.Delay(TimeSpan.FromSeconds(scenario.WarmupSeconds), cancellationToken);

            var stalled = viewers.Take((int)Math.Round(viewers.Count * scenario.StalledFraction)).ToList();
            var healthyRss = Read(pid).RssBytes;
            stalled.ForEach(v => v.Stall());
            var reading = viewers.Except(stalled).ToList();

            // Window: frames from here on count. CPU is read before and after, the drain included.
            var serverBefore = Read(pid);
            var selfBefore = ProcessStats.Self();
            foreach (var s in streamers)
            {
                window.Open(s.Id, s.LastSent + 1);
            }

            var counters = scenario.Counters && pid is { } counted ? ServerCounters.Start(counted, scenario.DurationSeconds, settings.OutputDirectory) : null;
            var clock = Stopwatch.StartNew();
            var maxRss = healthyRss;
            while (clock.Elapsed.TotalSeconds < scenario.DurationSeconds)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(500, Math.Max(1, (scenario.DurationSeconds - clock.Elapsed.TotalSeconds) * 1000))), cancellationToken);
                maxRss = Math.Max(maxRss, Read(pid).RssBytes);
            }

            foreach (var s in streamers)
            {
                await s.StopAsync();
            }

            var windowSeconds = clock.Elapsed.TotalSeconds;
            await DrainAsync(reading, streamers, cancellationToken);
            var serverAfter = Read(pid);
            var selfAfter = ProcessStats.Self();
            maxRss = Math.Max(maxRss, serverAfter.RssBytes);
            settings.Log.WriteLine($"window {windowSeconds:F1} s closed");
            var totals = counters is null ? null : await counters.FinishAsync();

            var sentPerViewer = streamers.Sum(s => s.LastSent - window.FirstSeq(s.Id) + 1);
            var deliveries = new Dictionary<string, DeliveryResult>();
            foreach (var kind in Enum.GetValues<ViewerKind>())
            {
                var ofKind = reading.Where(v => v.Kind == kind).ToList();
                if (ofKind.Count > 0)
                {
                    deliveries[Label(kind)] = Summarise(ofKind, sentPerViewer, windowSeconds, Merge(latencies[kind]));
                }
            }

            var all = new LatencyHistogram();
            foreach (var kind in latencies.Keys)
            {
                all.Add(Merge(latencies[kind]));
            }

            deliveries["total"] = Summarise(reading, sentPerViewer, windowSeconds, all);
            var delivered = deliveries["total"].Delivered + stalled.Sum(v => v.Stats.Delivered);
            var cpu = serverAfter.CpuSeconds - serverBefore.CpuSeconds;
            var serverResult = new ServerResult
            {
                Pid = pid ?? 0,
                CpuSeconds = cpu,
                CpuMicrosPerDelivery = delivered == 0 ? 0 : cpu * 1e6 / delivered,
                KernelMicrosPerDelivery = delivered == 0 ? 0 : (serverAfter.KernelCpuSeconds - serverBefore.KernelCpuSeconds) * 1e6 / delivered,
                RssMb = Mb(serverAfter.RssBytes),
                PeakRssMb = Mb(serverAfter.PeakRssBytes),
                Threads = serverAfter.Threads,
                AllocatedBytesPerDelivery = totals is null || delivered == 0 ? null : totals.AllocatedBytes / delivered,
                AllocatedMbPerSecond = totals is null ? null : totals.AllocatedBytes / 1024 / 1024 / windowSeconds,
                GcCollections = totals?.GcCollections,
                LockContentions = totals?.LockContentions,
            };
            var stall = stalled.Count == 0 ? null : new StallResult(stalled.Count, stalled.Count(v => v.IsOpen), Mb(healthyRss), Mb(maxRss), Mb(maxRss - healthyRss));

            return new Report
            {
                Scenario = scenario,
                StartedUtc = started,
                Machine = Machine(loadBefore),
                FrameSource = frames.Source,
                FrameBytes = frames.AverageLength,
                WindowSeconds = windowSeconds,
                Deliveries = deliveries,
                Server = serverResult,
                GeneratorCpuSeconds = selfAfter.CpuSeconds - selfBefore.CpuSeconds,
                Stall = stall,
                Checks = Judge(deliveries["total"], serverResult, null, stall),
            };
        }
        finally
        {
            await Task.WhenAll(streamers.Select(s => s.DisposeAsync().AsTask()).Concat(viewers.Select(v => v.DisposeAsync().AsTask())));
            foreach (var histogram in latencies.Values)
            {
                histogram.Dispose();
            }
        }
    }

    private static readonly TimeSpan IdleSettle = TimeSpan.FromSeconds(22);

    private async Task<Report> RunIdleAsync(Connector connector, Uri server, int? pid, DateTimeOffset started, string loadBefore, CancellationToken cancellationToken)
    {
        var window = new MeasurementWindow(1);
        using var latencies = new ThreadLocal<LatencyHistogram>(() => new LatencyHistogram(), trackAllValues: true);
        var viewers = new List<IViewer>();
        try
        {
            // Warm the accept path first, so its one-off allocations (JIT, pools) are not charged to the connections.
            var warm = await ConnectManyAsync(Enumerable.Range(0, 50).Select(_ => ViewerKind.Raw), connector, server, window, kind => latencies, cancellationToken);
            await Task.WhenAll(warm.Select(v => v.DisposeAsync().AsTask()));
            await Task.Delay(TimeSpan.FromSeconds(3), cancellationToken);
            var before = Read(pid);

            settings.Log.WriteLine($"connecting {scenario.RawViewers} idle viewers");
            viewers.AddRange(await ConnectManyAsync(Enumerable.Repeat(ViewerKind.Raw, scenario.RawViewers), connector, server, window, kind => latencies, cancellationToken));

            // Idle means steady state: the window opens after the server's first keep-alive round
            // (pings 15-19 s into a silence), so the one-off JIT of the ping path is not charged to
            // it, and it spans the second round.
            settings.Log.WriteLine($"settling for {IdleSettle.TotalSeconds} s, through the first keep-alive round");
            await Task.Delay(IdleSettle, cancellationToken);

            var idleStart = Read(pid);
            var selfBefore = ProcessStats.Self();
            var clock = Stopwatch.StartNew();
            settings.Log.WriteLine($"idle for {scenario.DurationSeconds} s");
            await Task.Delay(TimeSpan.FromSeconds(scenario.DurationSeconds), cancellationToken);
            var after = Read(pid);
            var idleSeconds = clock.Elapsed.TotalSeconds;
            var open = viewers.Count(v => v.IsOpen);

            var idle = new IdleResult(
                viewers.Count,
                open,
                Mb(before.RssBytes),
                Mb(after.RssBytes),
                (after.RssBytes - before.RssBytes) / 1024.0 / Math.Max(1, viewers.Count),
                idleSeconds,
                (after.CpuSeconds - idleStart.CpuSeconds) / idleSeconds * 100);
            var serverResult = new ServerResult
            {
                Pid = pid ?? 0,
                CpuSeconds = after.CpuSeconds - idleStart.CpuSeconds,
                RssMb = Mb(after.RssBytes),
                PeakRssMb = Mb(after.PeakRssBytes),
                Threads = after.Threads,
            };
            var none = new DeliveryResult { Viewers = viewers.Count, Latency = new LatencySummary(0, 0, 0, 0, 0) };
            return new Report
            {
                Scenario = scenario,
                StartedUtc = started,
                Machine = Machine(loadBefore),
                Deliveries = new Dictionary<string, DeliveryResult> { ["total"] = none },
                Server = serverResult,
                GeneratorCpuSeconds = ProcessStats.Self().CpuSeconds - selfBefore.CpuSeconds,
                Idle = idle,
                Checks = Judge(none, serverResult, idle, null),
            };
        }
        finally
        {
            settings.Log.WriteLine("closing");
            await Task.WhenAll(viewers.Select(v => v.DisposeAsync().AsTask()));
        }
    }

    private async Task<List<IViewer>> ConnectViewersAsync(Connector connector, Uri server, MeasurementWindow window, Dictionary<ViewerKind, ThreadLocal<LatencyHistogram>> latencies, CancellationToken cancellationToken)
    {
        // Interleave the kinds, so the stalled share (the first viewers) holds some of each.
        var kinds = new List<ViewerKind>();
        for (var i = 0; i < Math.Max(scenario.RawViewers, Math.Max(scenario.JsonViewers, scenario.MessagePackViewers)); i++)
        {
            if (i < scenario.RawViewers)
            {
                kinds.Add(ViewerKind.Raw);
            }

            if (i < scenario.JsonViewers)
            {
                kinds.Add(ViewerKind.SignalRJson);
            }

            if (i < scenario.MessagePackViewers)
            {
                kinds.Add(ViewerKind.SignalRMessagePack);
            }
        }

        return await ConnectManyAsync(kinds, connector, server, window, kind => latencies[kind], cancellationToken);
    }

    private static async Task<List<IViewer>> ConnectManyAsync(IEnumerable<ViewerKind> kinds, Connector connector, Uri server, MeasurementWindow window, Func<ViewerKind, ThreadLocal<LatencyHistogram>> latencies, CancellationToken cancellationToken)
    {
        // Bounded concurrency: a burst of thousands of handshakes at once only measures the accept queue.
        using var gate = new SemaphoreSlim(64);
        var tasks = kinds.Select(async kind =>
        {
            await gate.WaitAsync(cancellationToken);
            try
            {
                var stats = new ViewerStats(window, latencies(kind));
                return kind == ViewerKind.Raw
                    ? (IViewer)await RawViewer.ConnectAsync(connector, server, stats, cancellationToken)
                    : await SignalRViewer.ConnectAsync(connector, server, kind, stats, cancellationToken);
            }
            finally
            {
                gate.Release();
            }
        }).ToList();
        return [.. await Task.WhenAll(tasks)];
    }

    /// <summary>Waits until every reading viewer has the last frame of every streamer, or the drain limit passes.</summary>
    private static async Task DrainAsync(List<IViewer> reading, List<Streamer> streamers, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < DrainLimit)
        {
            if (reading.All(v => !v.IsOpen || streamers.All(s => v.Stats.LastSeq(s.Id) >= s.LastSent)))
            {
                return;
            }

            await Task.Delay(20, cancellationToken);
        }
    }

    private static DeliveryResult Summarise(List<IViewer> viewers, long sentPerViewer, double windowSeconds, LatencyHistogram latency)
    {
        var delivered = viewers.Sum(v => v.Stats.Delivered);
        var skipped = viewers.Sum(v => v.Stats.Skipped);
        var expected = sentPerViewer * viewers.Count;
        return new DeliveryResult
        {
            Viewers = viewers.Count,
            Expected = expected,
            Delivered = delivered,
            Skipped = skipped,
            Lost = expected - delivered - skipped,
            OutOfOrder = viewers.Sum(v => v.Stats.OutOfOrder),
            Unreadable = viewers.Sum(v => v.Stats.Unreadable),
            DeliveriesPerSecond = delivered / windowSeconds,
            Latency = LatencySummary.From(latency),
        };
    }

    private List<Check> Judge(DeliveryResult total, ServerResult server, IdleResult? idle, StallResult? stall)
    {
        var t = scenario.Thresholds;
        var checks = new List<Check>();
        void AtLeast(string name, double? limit, double measured)
        {
            if (limit is { } l)
            {
                checks.Add(new Check(name, measured, l, measured >= l));
            }
        }

        void AtMost(string name, double? limit, double measured)
        {
            if (limit is { } l)
            {
                checks.Add(new Check(name, measured, l, measured <= l));
            }
        }

        AtLeast("delivered ratio", t.MinDeliveredRatio, total.DeliveredRatio);
        AtMost("p99 latency ms", t.MaxP99Ms, total.Latency.P99Ms);
        AtLeast("deliveries per second", t.MinDeliveriesPerSecond, total.DeliveriesPerSecond);
        if (server.Pid != 0)
        {
            AtMost("server CPU us per delivery", t.MaxCpuMicrosPerDelivery, server.CpuMicrosPerDelivery);
            AtMost("server peak RSS MB", t.MaxPeakRssMb, server.PeakRssMb);
            if (server.AllocatedBytesPerDelivery is { } allocated)
            {
                AtMost("server bytes allocated per delivery", t.MaxAllocatedBytesPerDelivery, allocated);
            }

            if (idle is not null)
            {
                AtMost("server KiB per idle connection", t.MaxKiBPerIdleConnection, idle.KiBPerConnection);
                AtMost("server idle CPU % of a core", t.MaxIdleCpuPercent, idle.IdleCpuPercent);
            }

            if (stall is not null)
            {
                AtMost("server RSS growth MB with stalled viewers", t.MaxRssGrowthMb, stall.RssGrowthMb);
            }

            if (t.CpuBaselineScenario is { } baselineName
                && Report.TryLoad(Path.Combine(settings.OutputDirectory, baselineName + ".json")) is { } baseline
                && baseline.Server.CpuMicrosPerDelivery > 0)
            {
                AtMost($"CPU per delivery / {baselineName}'s", t.MaxCpuRatioToBaseline, server.CpuMicrosPerDelivery / baseline.Server.CpuMicrosPerDelivery);
            }
        }

        if (idle is not null)
        {
            checks.Add(new Check("idle connections still open", idle.OpenConnections, idle.Connections, idle.OpenConnections == idle.Connections));
        }

        return checks;
    }

    private static LatencyHistogram Merge(ThreadLocal<LatencyHistogram> perThread)
    {
        var merged = new LatencyHistogram();
        foreach (var histogram in perThread.Values)
        {
            merged.Add(histogram);
        }

        return merged;
    }

    private static ProcessStats Read(int? pid) => pid is { } p ? ProcessStats.Read(p) : default;

    private static double Mb(long bytes) => bytes / 1024.0 / 1024.0;

    private static string Label(ViewerKind kind) => kind switch
    {
        ViewerKind.Raw => "raw",
        ViewerKind.SignalRJson => "json",
        _ => "msgpack",
    };

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    private static MachineInfo Machine(string loadBefore)
    {
        var model = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown"
            : "unknown";
        return new MachineInfo(Environment.ProcessorCount, model, loadBefore, LoadAverage(), System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription);
    }
}
