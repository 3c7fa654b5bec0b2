namespace Brax.Viewer.LoadGen.Scenarios;

/// <summary>One named load: who connects, what is sent, for how long, and the target it is judged by.</summary>
internal sealed record Scenario
{
    public required string Name { get; init; }

    /// <summary>The performance target this scenario measures, in words.</summary>
    public required string Target { get; init; }

    public int Streamers { get; init; } = 1;

    public int RawViewers { get; init; }

    public int JsonViewers { get; init; }

    public int MessagePackViewers { get; init; }

    /// <summary>Frames per second per streamer; 0 sends back to back, as fast as the server takes them.</summary>
    public int Fps { get; init; } = 60;

    public int FrameBytes { get; init; } = 1700;

    /// <summary>Connected and streaming, not yet counted (JIT, connection set-up, buffers growing).</summary>
    public double WarmupSeconds { get; init; } = 3;

    public double DurationSeconds { get; init; } = 15;

    /// <summary>Share of the viewers that stop reading when the window opens (target 6).</summary>
    public double StalledFraction { get; init; }

    /// <summary>No streamer: viewers connect and sit idle (target 5).</summary>
    public bool Idle { get; init; }

    /// <summary>Local source addresses 127.0.0.1 … 127.0.0.N the connections rotate over.</summary>
    public int SourceAddresses { get; init; } = 1;

    /// <summary>Record the server's runtime counters (allocation, GCs) with dotnet-counters, when it is installed.</summary>
    public bool Counters { get; init; }

    /// <summary>Extra server arguments (<c>--Viewer:Key=value</c>).</summary>
    public IReadOnlyList<string> ServerArgs { get; init; } = [];

    public Thresholds Thresholds { get; init; } = new();

    public int Viewers => RawViewers + JsonViewers + MessagePackViewers;
}

/// <summary>What a scenario's result must show to meet its target; null means not judged.</summary>
internal sealed record Thresholds
{
    public double? MinDeliveredRatio { get; init; }

    public double? MaxP99Ms { get; init; }

    public double? MaxCpuMicrosPerDelivery { get; init; }

    public double? MinDeliveriesPerSecond { get; init; }

    public double? MaxPeakRssMb { get; init; }

    public double? MaxKiBPerIdleConnection { get; init; }

    public double? MaxIdleCpuPercent { get; init; }

    public double? MaxRssGrowthMb { get; init; }

    /// <summary>Server allocation per delivery over the window; per-frame allocation shared by all viewers divides down toward 0.</summary>
    public double? MaxAllocatedBytesPerDelivery { get; init; }

    /// <summary>Scenario whose CPU per delivery this one is compared with (its JSON report in the output folder).</summary>
    public string? CpuBaselineScenario { get; init; }

    public double? MaxCpuRatioToBaseline { get; init; }
}

/// <summary>The scenarios, one per performance target, plus the CI smoke.</summary>
internal static class ScenarioCatalog
{
    public static readonly IReadOnlyList<Scenario> All =
    [
        new()
        {
            Name = "smoke",
            Target = "CI smoke: 1 streamer at 20 fps, 2 viewers of each kind, every frame delivered",
            RawViewers = 2, JsonViewers = 2, MessagePackViewers = 2, Fps = 20,
            WarmupSeconds = 0.5, DurationSeconds = 2,
            Thresholds = new() { MinDeliveredRatio = 1 },
        },
        new()
        {
            Name = "t1-raw-1000",
            Target = "1: 1,000 raw viewers, 60 fps, 1.7 KB: 100% delivered, p99 <= 20 ms, <= 4 us CPU/delivery",
            RawViewers = 1000, Fps = 60, DurationSeconds = 20,
            Thresholds = new() { MinDeliveredRatio = 1, MaxP99Ms = 20, MaxCpuMicrosPerDelivery = 4 },
        },
        new()
        {
            Name = "t2-unthrottled",
            Target = "2: 100 raw viewers, unthrottled streamer: >= 300,000 deliveries/s, p99 <= 50 ms, RSS <= 200 MB",
            RawViewers = 100, Fps = 0, WarmupSeconds = 2, DurationSeconds = 10,
            Thresholds = new() { MinDeliveriesPerSecond = 300_000, MaxP99Ms = 50, MaxPeakRssMb = 200 },
        },
        new()
        {
            Name = "t3-signalr",
            Target = "3: 500 SignalR JSON + 500 MessagePack viewers, 60 fps: 100% delivered, p99 <= 20 ms, CPU/delivery <= 1.5x raw (t1)",
            JsonViewers = 500, MessagePackViewers = 500, Fps = 60, DurationSeconds = 20,
            Thresholds = new() { MinDeliveredRatio = 1, MaxP99Ms = 20, CpuBaselineScenario = "t1-raw-1000", MaxCpuRatioToBaseline = 1.5 },
        },
        new()
        {
            Name = "t4-batched",
            Target = "4: 150 KB batched frames, 50 raw viewers, 30 fps: 100% delivered, <= 25 us CPU/delivery",
            RawViewers = 50, Fps = 30, FrameBytes = 150_000, DurationSeconds = 20,
            Thresholds = new() { MinDeliveredRatio = 1, MaxCpuMicrosPerDelivery = 25 },
        },
        new()
        {
            Name = "t8-batched-1mb",
            Target = "8: 1 MB batched frames, 4 raw viewers, 10 fps: 100% delivered (CPU per delivery is judged against a Node ws relay by --compare)",
            RawViewers = 4, Fps = 10, FrameBytes = 1_000_000, DurationSeconds = 20,

            // At 10 frames a second the server's frame path is still being recompiled (tiered JIT) 15-20 s in:
            // measured from 30 s on, the run shows the steady state, not the start-up.
            WarmupSeconds = 30,
            Thresholds = new() { MinDeliveredRatio = 1 },
        },
        new()
        {
            Name = "t5-idle",
            Target = "5: 10,000 idle raw viewers: <= 12 KiB server memory each, idle CPU < 1% of a core",
            RawViewers = 10_000, Idle = true, Streamers = 0, DurationSeconds = 20, SourceAddresses = 4,

            // 10,000 is also the default Viewer:MaxConnections; what this measures is memory, not the limit.
            ServerArgs = ["--Viewer:MaxConnections=0"],
            Thresholds = new() { MaxKiBPerIdleConnection = 12, MaxIdleCpuPercent = 1 },
        },
        new()
        {
            Name = "t6-stalled",
            Target = "6: 1,000 raw viewers, 5% stop reading: the 950 meet target 1, RSS within 50 MB of the healthy phase",
            RawViewers = 1000, Fps = 60, StalledFraction = 0.05, WarmupSeconds = 10, DurationSeconds = 20,
            Thresholds = new() { MinDeliveredRatio = 1, MaxP99Ms = 20, MaxCpuMicrosPerDelivery = 4, MaxRssGrowthMb = 50 },
        },
        new()
        {
            Name = "t7-steady",
            Target = "7: steady state allocates 0 B per viewer per frame on the fan-out path (exact figure: the FanOut micro-benchmark; this run reads the real server's allocation per delivery with dotnet-counters)",
            RawViewers = 200, JsonViewers = 100, MessagePackViewers = 100, Fps = 60, DurationSeconds = 15, Counters = true,
            Thresholds = new() { MinDeliveredRatio = 1, MaxAllocatedBytesPerDelivery = 64 },
        },
    ];

    public static Scenario? Find(string name) => All.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase));
}
