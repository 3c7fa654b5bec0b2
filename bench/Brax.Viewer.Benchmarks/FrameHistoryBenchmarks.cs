using BenchmarkDotNet.Attributes;
using Brax.Viewer.Client;
using Brax.Viewer.Hubs;
using Brax.Viewer.Hubs.Fanout;
using Brax.Viewer.Hubs.Runs;
using Microsoft.Extensions.Options;

namespace Brax.Viewer.Benchmarks;

/// <summary>
/// What keeping one frame in the run history costs the publishing thread, on its own: the history
/// is full to its byte bound, so each frame kept also drops the oldest, as in a long run.
/// </summary>
[MemoryDiagnoser]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "BenchmarkDotNet disposes through [GlobalCleanup].")]
public class FrameHistoryBenchmarks
{
    private static readonly string Group = HubGroups.FrameViewers(RunContract.DefaultRun);
    private readonly ListenedMetrics _metrics = new();
    private FrameHistory _history = null!;
    private IFrameObserver _observer = null!;
    private Frame _frame = null!;

    [GlobalSetup]
    public void Setup()
    {
        _frame = Frame.Parse(Frames.Json(1_700).AsSpan());
        _history = new FrameHistory(Options.Create(new HistoryOptions { HistoryMaxBytes = _frame.Utf8Json.Length * 10_000L }), TimeProvider.System, _metrics.Metrics);
        _observer = _history;
        for (var i = 0; i < 20_000; i++)
        {
            _observer.Observe(Group, _frame);
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _history.Dispose();
        _metrics.Dispose();
    }

    /// <summary>One frame kept, and the oldest dropped to stay within the bound.</summary>
    [Benchmark]
    public void KeepFrame() => _observer.Observe(Group, _frame);
}
