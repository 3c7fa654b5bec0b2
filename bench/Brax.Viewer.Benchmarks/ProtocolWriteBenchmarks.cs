using BenchmarkDotNet.Attributes;
using Brax.Viewer.Client;
using Brax.Viewer.Hubs.Diagnostics;
using Brax.Viewer.Hubs.Protocols;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Logging.Abstractions;

namespace Brax.Viewer.Benchmarks;

/// <summary>
/// Serialising one <c>ReceiveFrame</c> for each protocol: SignalR does it once per frame per
/// protocol (the fan-out shares the bytes among viewers), so this is a per-frame cost.
/// </summary>
[MemoryDiagnoser]
public class ProtocolWriteBenchmarks
{
    private readonly RawFrameProtocol _raw = new(new BadInputLog(NullLogger<BadInputLog>.Instance, TimeProvider.System, new ListenedMetrics().Metrics));
    private readonly JsonHubProtocol _json = new();
    private readonly MessagePackHubProtocol _messagePack = new();
    private InvocationMessage _message = null!;

    [Params(1_700, 150_000)]
    public int FrameBytes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var frame = Frame.Parse(Frames.Json(FrameBytes).AsSpan());
        _message = new InvocationMessage(FrameHubContract.ReceiveFrame, [frame]);

        // The transcoding is cached on the frame; FrameBenchmarks measures it on its own.
        _ = _messagePack.GetMessageBytes(_message);
    }

    [Benchmark(Baseline = true)]
    public ReadOnlyMemory<byte> Raw() => _raw.GetMessageBytes(_message);

    [Benchmark]
    public ReadOnlyMemory<byte> Json() => _json.GetMessageBytes(_message);

    [Benchmark]
    public ReadOnlyMemory<byte> MessagePack() => _messagePack.GetMessageBytes(_message);
}
