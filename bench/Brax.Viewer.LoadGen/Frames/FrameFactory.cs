using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Brax.Viewer.LoadGen.Frames;

/// <summary>
/// Builds the frames streamers send: Brax frames of the fixtures' shape (ant, 9 bodies), padded or
/// batched to a chosen size, each stamped with <c>"s"</c> (streamer), <c>"seq"</c> and <c>"t"</c>
/// (send time in <see cref="System.Diagnostics.Stopwatch"/> ticks) as its first members.
/// </summary>
/// <remarks>
/// The stamp goes first so viewers find it after a few tokens and never parse the rest. The
/// bodies are prepared once; stamping a frame is a few formatted integers and one copy.
/// </remarks>
internal sealed class FrameFactory
{
    // Room for {"s":N,"seq":N,"t":N, with 19-digit numbers.
    private const int StampRoom = 80;

    // The frames the load is shaped after, relative to the repository root; reports name it so.
    private const string RepositoryFixture = "testdata/brax/ant.frames.jsonl";

    private readonly byte[][] _bodies;

    private FrameFactory(byte[][] bodies, string source)
    {
        _bodies = bodies;
        Source = source;
        MaxLength = bodies.Max(b => b.Length) + StampRoom;
        AverageLength = (int)bodies.Average(b => b.Length) + 30;
    }

    /// <summary>Where the body shapes came from: the path given, the repository's fixture (relative to the repository root), or "synthetic".</summary>
    public string Source { get; }

    /// <summary>Upper bound of one stamped frame's length.</summary>
    public int MaxLength { get; }

    /// <summary>Typical stamped frame length in bytes.</summary>
    public int AverageLength { get; }

    /// <summary>
    /// Prepares frames of about <paramref name="targetBytes"/>: small targets pad one ant frame with a
    /// <c>"qd"</c> array; targets past a few frames concatenate bodies of consecutive frames into one
    /// batched <c>x.pos</c> / <c>x.rot</c>, as a batched Brax sender does.
    /// </summary>
    public static FrameFactory Create(int targetBytes, string? fixturePath)
    {
        var (lines, source) = LoadFrames(fixturePath);
        var bodyTarget = Math.Max(64, targetBytes - 30);
        var single = lines.Average(l => l.Length);
        byte[][] bodies = bodyTarget <= single * 2
            ? lines.Select(l => Pad(l, bodyTarget)).ToArray()
            : Enumerable.Range(0, 8).Select(i => Batch(lines, i * 7, bodyTarget)).ToArray();
        return new FrameFactory(bodies, source);
    }

    /// <summary>Writes frame <paramref name="seq"/> of streamer <paramref name="streamer"/> stamped with <paramref name="timestamp"/>.</summary>
    /// <returns>The number of bytes written.</returns>
    public int Write(Span<byte> destination, int streamer, long seq, long timestamp)
    {
        var written = 0;
        Append(destination, ref written, "{\"s\":"u8);
        Utf8Formatter.TryFormat(streamer, destination[written..], out var n);
        written += n;
        Append(destination, ref written, ",\"seq\":"u8);
        Utf8Formatter.TryFormat(seq, destination[written..], out n);
        written += n;
        Append(destination, ref written, ",\"t\":"u8);
        Utf8Formatter.TryFormat(timestamp, destination[written..], out n);
        written += n;
        Append(destination, ref written, ","u8);
        Append(destination, ref written, _bodies[(int)(seq % _bodies.Length)]);
        return written;
    }

    private static void Append(Span<byte> destination, ref int written, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(destination[written..]);
        written += bytes.Length;
    }

    /// <summary>The frame without its opening brace, grown to about <paramref name="target"/> bytes with joint velocities.</summary>
    private static byte[] Pad(string line, int target)
    {
        var body = line.Trim()[1..];
        var missing = target - body.Length;
        if (missing < 16)
        {
            return Encoding.UTF8.GetBytes(body);
        }

        var padding = new StringBuilder(", \"qd\": [");
        var i = 0;
        while (padding.Length < missing - 1)
        {
            if (i > 0)
            {
                padding.Append(", ");
            }

            // float32 values printed through float64, as brax's json.dumps emits them.
            padding.Append(((double)(float)Math.Sin(i * 0.7 + line.Length)).ToString("R", CultureInfo.InvariantCulture));
            i++;
        }

        padding.Append(']');
        return Encoding.UTF8.GetBytes(body[..^1] + padding + "}");
    }

    /// <summary>One batched frame: the bodies of consecutive ant frames side by side, about <paramref name="target"/> bytes.</summary>
    private static byte[] Batch(List<string> lines, int first, int target)
    {
        var positions = new List<string>();
        var rotations = new List<string>();
        var length = 0;
        for (var k = first; length < target; k++)
        {
            using var document = JsonDocument.Parse(lines[k % lines.Count]);
            var pose = document.RootElement.GetProperty("x");
            foreach (var p in pose.GetProperty("pos").EnumerateArray())
            {
                positions.Add(p.GetRawText());
                length += p.GetRawText().Length + 2;
            }

            foreach (var r in pose.GetProperty("rot").EnumerateArray())
            {
                rotations.Add(r.GetRawText());
                length += r.GetRawText().Length + 2;
            }
        }

        return Encoding.UTF8.GetBytes($"\"x\": {{\"pos\": [{string.Join(", ", positions)}], \"rot\": [{string.Join(", ", rotations)}]}}}}");
    }

    /// <summary>
    /// The repository's ant frames, <c>testdata/brax/ant.frames.jsonl</c> under the folder holding
    /// <c>Brax.Viewer.sln</c> above the generator's own binaries (or, for a copy of them run from a
    /// clone, above the working directory); null outside a clone of the repository.
    /// </summary>
    internal static string? DefaultFixturePath { get; } = FindDefaultFixture();

    private static (List<string> Lines, string Source) LoadFrames(string? fixturePath)
    {
        var path = fixturePath ?? DefaultFixturePath;
        if (path is not null && File.Exists(path))
        {
            var lines = File.ReadLines(path).Where(l => l.Length > 0).ToList();
            if (lines.Count > 0)
            {
                return (lines, fixturePath ?? RepositoryFixture);
            }
        }

        return (SyntheticAntFrames(), "synthetic");
    }

    private static string? FindDefaultFixture()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Brax.Viewer.sln")))
                {
                    var candidate = Path.Combine(dir.FullName, RepositoryFixture);
                    if (File.Exists(candidate))
                    {
                        return candidate;
                    }

                    break;
                }
            }
        }

        return null;
    }

    /// <summary>Frames of the ant fixture's shape (9 bodies, float32 values, <c>env_id</c>) when the fixture is not at hand.</summary>
    private static List<string> SyntheticAntFrames()
    {
        static string Number(double value) => ((double)(float)value).ToString("R", CultureInfo.InvariantCulture);
        var frames = new List<string>();
        for (var f = 0; f < 120; f++)
        {
            var pos = Enumerable.Range(0, 9).Select(b => $"[{Number(0.05 * f + 0.2 * Math.Cos(b))}, {Number(0.2 * Math.Sin(b))}, {Number(0.6 + 0.01 * Math.Sin(f * 0.3 + b))}]");
            var rot = Enumerable.Range(0, 9).Select(b => $"[{Number(Math.Cos(0.01 * f * b))}, 0.0, {Number(Math.Sin(0.01 * f * b))}, 0.0]");
            frames.Add($"{{\"x\": {{\"pos\": [{string.Join(", ", pos)}], \"rot\": [{string.Join(", ", rot)}]}}, \"env_id\": 0}}");
        }

        return frames;
    }
}
