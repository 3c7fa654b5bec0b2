using Brax.Viewer.LoadGen.Frames;

namespace Brax.Viewer.Tests.Infrastructure;

/// <summary>Batched frames of the fixtures' shape, the size the load generator sends, stamped with <paramref name="seq"/>.</summary>
public static class BatchedFrames
{
    public static byte[] Json(int frameBytes, long seq = 1)
    {
        var factory = FrameFactory.Create(frameBytes, fixturePath: null);
        var buffer = new byte[factory.MaxLength];
        var length = factory.Write(buffer, streamer: 0, seq: seq, timestamp: 1_234_567_890_123);
        return buffer.AsSpan(0, length).ToArray();
    }
}
