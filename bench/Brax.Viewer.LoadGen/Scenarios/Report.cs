using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Brax.Viewer.LoadGen.Metrics;

namespace Brax.Viewer.LoadGen.Scenarios;

/// <summary>The result of one scenario run: what was asked, what was measured, and each target check.</summary>
internal sealed record Report
{
    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter() },
    };

    public required Scenario Scenario { get; init; }

    public required DateTimeOffset StartedUtc { get; init; }

    public required MachineInfo Machine { get; init; }

    public string? FrameSource { get; init; }

    public int FrameBytes { get; init; }

    public double WindowSeconds { get; init; }

    /// <summary>Per-kind and total delivery figures, over the viewers that kept reading.</summary>
    public required IReadOnlyDictionary<string, DeliveryResult> Deliveries { get; init; }

    public required ServerResult Server { get; init; }

    public double GeneratorCpuSeconds { get; init; }

    public IdleResult? Idle { get; init; }

    public StallResult? Stall { get; init; }

    public required IReadOnlyList<Check> Checks { get; init; }

    public bool Passed => Checks.All(c => c.Passed);

    public DeliveryResult Total => Deliveries["total"];

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    public static Report? TryLoad(string path)
    {
        try
        {
            return File.Exists(path) ? JsonSerializer.Deserialize<Report>(File.ReadAllText(path), JsonOptions) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>A readable table of the main figures and the checks.</summary>
    public string ToTable()
    {
        var text = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        text.AppendLine(inv, $"scenario {Scenario.Name}: {Scenario.Target}");
        text.AppendLine(inv, $"machine  {Machine.Cpus} cpu ({Machine.CpuModel}), load {Machine.LoadBefore} before / {Machine.LoadAfter} after, frames {FrameBytes} B from {FrameSource}");
        if (Deliveries.Count > 1)
        {
            text.AppendLine("kind        viewers   expected   delivered    ratio    skipped   lost  ooo   p50 ms   p99 ms  p99.9 ms   max ms");
            foreach (var (kind, d) in Deliveries)
            {
                text.AppendLine(inv, $"{kind,-10} {d.Viewers,8} {d.Expected,10} {d.Delivered,11} {d.DeliveredRatio,8:P2} {d.Skipped,10} {d.Lost,6} {d.OutOfOrder,4} {d.Latency.P50Ms,8:F2} {d.Latency.P99Ms,8:F2} {d.Latency.P999Ms,9:F2} {d.Latency.MaxMs,8:F2}");
            }
        }

        if (WindowSeconds > 0)
        {
            text.AppendLine(inv, $"window   {WindowSeconds:F1} s, {Total.DeliveriesPerSecond:N0} deliveries/s");
        }

        text.AppendLine(inv, $"server   cpu {Server.CpuSeconds:F2} s ({Server.CpuMicrosPerDelivery:F2} us/delivery, {Server.KernelMicrosPerDelivery:F2} of them in the kernel), rss {Server.RssMb:F1} MB, peak {Server.PeakRssMb:F1} MB, threads {Server.Threads}; generator cpu {GeneratorCpuSeconds:F2} s");
        if (Server.AllocatedBytesPerDelivery is { } perDelivery)
        {
            text.AppendLine(inv, $"gc       {perDelivery:F1} B allocated per delivery ({Server.AllocatedMbPerSecond:F2} MB/s), {Server.GcCollections:F0} collections, {Server.LockContentions:F0} lock contentions in the window");
        }

        if (Idle is { } idle)
        {
            text.AppendLine(inv, $"idle     {idle.OpenConnections}/{idle.Connections} open, {idle.KiBPerConnection:F2} KiB/connection (rss {idle.RssBeforeMb:F1} -> {idle.RssAfterMb:F1} MB), idle cpu {idle.IdleCpuPercent:F3}% of a core");
        }

        if (Stall is { } stall)
        {
            text.AppendLine(inv, $"stall    {stall.Stalled} viewers stopped reading; rss healthy {stall.HealthyRssMb:F1} MB, max after {stall.MaxRssMb:F1} MB (+{stall.RssGrowthMb:F1} MB); {stall.StalledStillOpen} still open at the end");
        }

        foreach (var check in Checks)
        {
            text.AppendLine(inv, $"{(check.Passed ? "MET   " : "NOT MET")} {check.Name}: {check.Measured:G4} (limit {check.Limit:G4})");
        }

        return text.ToString();
    }
}

internal sealed record MachineInfo(int Cpus, string CpuModel, string LoadBefore, string LoadAfter, string Runtime);

internal sealed record LatencySummary(double P50Ms, double P99Ms, double P999Ms, double MaxMs, long Samples)
{
    public static LatencySummary From(LatencyHistogram histogram) => new(
        histogram.Percentile(0.50) / 1000.0,
        histogram.Percentile(0.99) / 1000.0,
        histogram.Percentile(0.999) / 1000.0,
        histogram.MaxMicroseconds / 1000.0,
        histogram.Count);
}

internal sealed record DeliveryResult
{
    public int Viewers { get; init; }

    /// <summary>Frames sent in the window times viewers: what "every frame to every viewer" means.</summary>
    public long Expected { get; init; }

    public long Delivered { get; init; }

    public double DeliveredRatio => Expected == 0 ? 0 : (double)Delivered / Expected;

    /// <summary>Frames jumped over because a newer one arrived first (the latest-frame policy at work).</summary>
    public long Skipped { get; init; }

    /// <summary>Frames neither delivered nor overtaken: still missing when the drain ended.</summary>
    public long Lost { get; init; }

    public long OutOfOrder { get; init; }

    public long Unreadable { get; init; }

    public double DeliveriesPerSecond { get; init; }

    public required LatencySummary Latency { get; init; }
}

internal sealed record ServerResult
{
    public int Pid { get; init; }

    public double CpuSeconds { get; init; }

    public double CpuMicrosPerDelivery { get; init; }

    /// <summary>The kernel's share of <see cref="CpuMicrosPerDelivery"/> (stime): sends, and on loopback the receivers' TCP input.</summary>
    public double KernelMicrosPerDelivery { get; init; }

    public double RssMb { get; init; }

    public double PeakRssMb { get; init; }

    public int Threads { get; init; }

    /// <summary>Server GC allocation over the window per delivery (dotnet-counters; null without it).</summary>
    public double? AllocatedBytesPerDelivery { get; init; }

    public double? AllocatedMbPerSecond { get; init; }

    public double? GcCollections { get; init; }

    public double? LockContentions { get; init; }
}

internal sealed record IdleResult(int Connections, int OpenConnections, double RssBeforeMb, double RssAfterMb, double KiBPerConnection, double IdleSeconds, double IdleCpuPercent);

internal sealed record StallResult(int Stalled, int StalledStillOpen, double HealthyRssMb, double MaxRssMb, double RssGrowthMb);

internal sealed record Check(string Name, double Measured, double Limit, bool Passed);
