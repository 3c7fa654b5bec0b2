using BenchmarkDotNet.Attributes;
using Brax.Viewer.Client;

namespace Brax.Viewer.Benchmarks;

/// <summary>
/// What one frame costs once, whatever the number of viewers: validation and MessagePack transcoding.
/// Validation throughput in MB/s is <see cref="FrameBytes"/> / the mean of <see cref="ValidateOnly"/>
/// (1 MB batched: the figure docs/benchmarks.md gives); <see cref="ValidateWithReaderOnly"/> is the
/// tokenizer path the scanner spares the common frame.
/// </summary>
[MemoryDiagnoser]
public class FrameBenchmarks
{
    private byte[] _json = [];

    [Params(1_700, 150_000, 1_000_000)]
    public int FrameBytes { get; set; }

    [GlobalSetup]
    public void Setup() => _json = Frames.Json(FrameBytes);

    /// <summary>The public parse: validate and copy.</summary>
    [Benchmark(Baseline = true)]
    public Frame Parse() => Frame.Parse(_json.AsSpan());

    /// <summary>What the raw shim does per streamer message: validate and take ownership of the received bytes.</summary>
    [Benchmark]
    public Frame? Wrap() => Frame.TryWrap(_json, out var frame, out _) ? frame : null;

    [Benchmark]
    public string? ValidateOnly() => FrameValidator.Validate(_json);

    [Benchmark]
    public string? ValidateWithReaderOnly() => FrameValidator.ValidateWithReader(_json, out _);

    /// <summary>Done once per frame when any MessagePack viewer is connected.</summary>
    [Benchmark]
    public byte[] TranscodeToMessagePack() => FrameTranscoder.JsonToMessagePack(_json);
}
