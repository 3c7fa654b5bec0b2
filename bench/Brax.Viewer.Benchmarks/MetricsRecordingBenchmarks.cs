using BenchmarkDotNet.Attributes;
using Brax.Viewer.Client;
using Brax.Viewer.Hubs.Diagnostics;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace Brax.Viewer.Benchmarks;

/// <summary>
/// What a viewer's mailbox adds to each delivery to count it, on one thread: the delivered frame
/// and its bytes recorded with the OpenTelemetry SDK listening, and the size of the message in the
/// viewer's protocol, read from the serialisation the write has just cached. The fan-out benchmark
/// shows the same cost inside a whole fan-out, with lanes recording at once.
/// </summary>
[MemoryDiagnoser]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "BenchmarkDotNet disposes through [GlobalCleanup].")]
public class MetricsRecordingBenchmarks
{
    private readonly ListenedMetrics _metrics = new();
    private readonly JsonHubProtocol _json = new();
    private SerializedHubMessage _message = null!;

    [GlobalSetup]
    public void Setup()
    {
        _message = new SerializedHubMessage(new InvocationMessage(FrameHubContract.ReceiveFrame, [Frame.Parse(Frames.Json(1_700).AsSpan())]));
        _ = _message.GetSerializedMessage(_json);
    }

    [GlobalCleanup]
    public void Cleanup() => _metrics.Dispose();

    [Benchmark]
    public void RecordDelivery() => _metrics.Metrics.FrameDelivered(1_700);

    [Benchmark]
    public int CachedMessageSize() => _message.GetSerializedMessage(_json).Length;
}
