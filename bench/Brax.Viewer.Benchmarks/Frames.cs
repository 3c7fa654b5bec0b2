using Brax.Viewer.LoadGen.Frames;

namespace Brax.Viewer.Benchmarks;

/// <summary>Stamped frames of the fixtures' shape, as the load generator sends them.</summary>
internal static class Frames
{
    public static byte[] Json(int frameBytes)
    {
        var factory = FrameFactory.Create(frameBytes, fixturePath: null);
        var buffer = new byte[factory.MaxLength];
        var length = factory.Write(buffer, streamer: 0, seq: 1, timestamp: 1_234_567_890_123);
        return buffer.AsSpan(0, length).ToArray();
    }
}
