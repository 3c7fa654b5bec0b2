using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using Brax.Viewer.Client;

namespace Brax.Viewer.Hubs.Runs;

/// <summary>
/// Reads a recording (the format <see cref="RecordingWriter"/> writes) as it arrives, one line at a
/// time, checking every line and validating every frame exactly as a streamer's frame is validated.
/// Only the frames are kept: the body is never held whole, and reading stops at the first bad line.
/// </summary>
public static class RecordingReader
{
    /// <summary>The content types a recording may be sent with (besides JSON's own).</summary>
    public static IReadOnlyList<string> ContentTypes { get; } = [RecordingWriter.ContentType, "application/jsonl"];

    // Room on a line for {"t":…,"frame":…} around the largest accepted frame.
    private const int LineOverhead = 1024;

    /// <summary>
    /// Reads <paramref name="body"/> to its end. Refused, with the line and what is wrong with it,
    /// at the first line that is not <c>{"t":&lt;ms&gt;,"frame":&lt;frame&gt;}</c>, whose <c>t</c>
    /// is earlier than the line before, or whose frame is larger than <paramref name="maxFrameBytes"/>
    /// or not a valid frame; refused as too large past <paramref name="maxBytes"/>; refused when it
    /// holds no frame. Blank lines are skipped.
    /// </summary>
    public static async Task<RecordingReadResult> ReadAsync(PipeReader body, long maxBytes, long maxFrameBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        var frames = new List<RecordedFrame>();
        var state = new LineState(maxFrameBytes);
        long consumed = 0;
        while (true)
        {
            var read = await body.ReadAsync(cancellationToken);
            var buffer = read.Buffer;
            if (consumed + buffer.Length > maxBytes)
            {
                body.AdvanceTo(buffer.End);
                return RecordingReadResult.OverLimit(maxBytes);
            }

            var problem = ReadLines(ref buffer, read.IsCompleted, frames, state);
            consumed += read.Buffer.Slice(0, buffer.Start).Length;
            body.AdvanceTo(buffer.Start, buffer.End);
            if (problem is not null)
            {
                return RecordingReadResult.Refused(problem);
            }

            if (read.IsCompleted)
            {
                return frames.Count == 0 ? RecordingReadResult.Refused("the recording holds no frames") : RecordingReadResult.Read(frames);
            }

            if (buffer.Length > maxFrameBytes + LineOverhead)
            {
                return RecordingReadResult.Refused($"line {state.Line + 1}: longer than the largest frame ({maxFrameBytes} bytes) allows");
            }
        }
    }

    // Reads the complete lines of buffer (and its rest, once the body has ended); leaves buffer at what is left.
    private static string? ReadLines(ref ReadOnlySequence<byte> buffer, bool ended, List<RecordedFrame> frames, LineState state)
    {
        while (true)
        {
            ReadOnlySequence<byte> line;
            if (buffer.PositionOf((byte)'\n') is { } end)
            {
                line = buffer.Slice(0, end);
                buffer = buffer.Slice(buffer.GetPosition(1, end));
            }
            else if (ended && !buffer.IsEmpty)
            {
                line = buffer;
                buffer = buffer.Slice(buffer.End);
            }
            else
            {
                return null;
            }

            state.Line++;
            if (ReadLine(line.IsSingleSegment ? line.FirstSpan : line.ToArray(), state) is { } problem)
            {
                return $"line {state.Line}: {problem}";
            }

            if (state.Frame is { } frame)
            {
                frames.Add(frame);
                state.Frame = null;
            }
        }
    }

    private static string? ReadLine(ReadOnlySpan<byte> line, LineState state)
    {
        if (line.Trim(" \t\r"u8).IsEmpty)
        {
            return null;
        }

        long? time = null;
        var frameStart = -1;
        var frameLength = 0;
        var reader = new Utf8JsonReader(line, new JsonReaderOptions { MaxDepth = 64 });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return "not a JSON object like {\"t\":<ms>,\"frame\":{…}}";
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isTime = reader.ValueTextEquals("t"u8);
                var isFrame = reader.ValueTextEquals("frame"u8);
                reader.Read();
                if (isTime)
                {
                    if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var ms))
                    {
                        return "'t' must be a whole number of milliseconds";
                    }

                    time = ms;
                }
                else if (isFrame)
                {
                    if (reader.TokenType != JsonTokenType.StartObject)
                    {
                        return "'frame' must be a JSON object";
                    }

                    frameStart = (int)reader.TokenStartIndex;
                    reader.Skip();
                    frameLength = (int)reader.BytesConsumed - frameStart;
                }
                else
                {
                    // Members of a later version of the format are passed over.
                    reader.Skip();
                }
            }

            // Anything after the object is an error of the reader's own (trailing text).
            while (reader.Read())
            {
            }
        }
        catch (JsonException e)
        {
            return "not valid JSON: " + e.Message;
        }

        if (time is null || frameStart < 0)
        {
            return time is null ? "missing 't'" : "missing 'frame'";
        }

        if (time < state.PreviousTimeMs)
        {
            return $"'t' ({time}) is earlier than the line before ({state.PreviousTimeMs})";
        }

        if (frameLength > state.MaxFrameBytes)
        {
            return $"the frame is larger than the limit of {state.MaxFrameBytes} bytes";
        }

        // The check a streamer's frame gets, and the frame takes the one copy it keeps.
        if (!Frame.TryWrap(line.Slice(frameStart, frameLength).ToArray(), out var frame, out var error))
        {
            return "not a valid frame: " + error;
        }

        state.PreviousTimeMs = time.Value;
        state.Frame = new RecordedFrame(time.Value, frame);
        return null;
    }

    private sealed class LineState(long maxFrameBytes)
    {
        public long MaxFrameBytes { get; } = maxFrameBytes;

        public int Line { get; set; }

        public long PreviousTimeMs { get; set; } = long.MinValue;

        public RecordedFrame? Frame { get; set; }
    }
}
