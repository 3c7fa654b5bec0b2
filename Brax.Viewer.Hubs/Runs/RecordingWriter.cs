using System.Buffers;
using System.Buffers.Text;
using System.IO.Pipelines;

namespace Brax.Viewer.Hubs.Runs;

/// <summary>
/// Writes a recording: JSON Lines, one <c>{"t":&lt;server ms&gt;,"frame":&lt;frame&gt;}</c> per
/// frame, the frame's bytes exactly as the streamer sent them (never parsed or re-serialised).
/// <see cref="RecordingReader"/> reads the same format back.
/// </summary>
public static class RecordingWriter
{
    /// <summary>The content type of a recording.</summary>
    public const string ContentType = "application/x-ndjson";

    // The pipe is flushed every 64 KiB, so a long recording streams out rather than piling up.
    private const int FlushEvery = 64 * 1024;

    // {"t":-9223372036854775808,"frame":
    private const int LongestPrefix = 40;

    /// <summary>Writes <paramref name="frames"/> to <paramref name="output"/> as a recording, flushing as it goes.</summary>
    public static async Task WriteAsync(PipeWriter output, IReadOnlyList<RecordedFrame> frames, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(frames);
        long unflushed = 0;
        foreach (var frame in frames)
        {
            unflushed += WriteLine(output, frame);
            if (unflushed >= FlushEvery)
            {
                unflushed = 0;
                var flushed = await output.FlushAsync(cancellationToken);
                if (flushed.IsCompleted || flushed.IsCanceled)
                {
                    return;
                }
            }
        }

        await output.FlushAsync(cancellationToken);
    }

    private static int WriteLine(PipeWriter output, RecordedFrame frame)
    {
        var prefix = output.GetSpan(LongestPrefix);
        "{\"t\":"u8.CopyTo(prefix);
        Utf8Formatter.TryFormat(frame.TimeMs, prefix[5..], out var digits);
        var length = 5 + digits;
        ",\"frame\":"u8.CopyTo(prefix[length..]);
        length += 9;
        output.Advance(length);
        output.Write(frame.Frame.Utf8Json.Span);
        output.Write("}\n"u8);
        return length + frame.Frame.Utf8Json.Length + 2;
    }
}
