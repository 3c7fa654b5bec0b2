using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using MessagePack;

namespace Brax.Viewer.Client;

/// <summary>
/// One Brax frame: the pose of every body, as validated UTF-8 JSON
/// (<c>{"x":{"pos":[[x,y,z],…],"rot":[[w,x,y,z],…]}, …}</c>).
/// </summary>
/// <remarks>
/// The bytes are kept exactly as received, so raw WebSocket viewers get them byte for byte and
/// no number is ever reformatted or rounded. The JSON hub protocol writes them as a raw value;
/// the MessagePack hub protocol writes a map with the same keys and values (floating-point
/// numbers as float64), transcoded once per frame. Both converters are attached to the type,
/// so a SignalR client needs no setup beyond <c>AddJsonProtocol()</c> or <c>AddMessagePackProtocol()</c>.
/// </remarks>
[JsonConverter(typeof(FrameJsonConverter))]
[MessagePackFormatter(typeof(FrameMessagePackFormatter))]
public sealed class Frame
{
    private readonly byte[] _utf8Json;
    private byte[]? _messagePack;

    private Frame(byte[] utf8Json, int? envId)
    {
        _utf8Json = utf8Json;
        EnvId = envId;
    }

    /// <summary>The frame's JSON text, as UTF-8 bytes exactly as the streamer sent them.</summary>
    public ReadOnlyMemory<byte> Utf8Json => _utf8Json;

    /// <summary>The environment of a batched scene this frame updates (<c>env_id</c>), or null.</summary>
    public int? EnvId { get; }

    /// <summary>The frame's MessagePack encoding, computed on first use and kept.</summary>
    internal ReadOnlySpan<byte> MessagePack => _messagePack ??= FrameTranscoder.JsonToMessagePack(_utf8Json);

    /// <summary>Parses and validates a frame.</summary>
    /// <exception cref="FormatException">The text is not a frame; the message says why.</exception>
    public static Frame Parse(string json) => Parse(Encoding.UTF8.GetBytes(json).AsSpan());

    /// <summary>Parses and validates a frame from UTF-8 bytes (copied).</summary>
    /// <exception cref="FormatException">The text is not a frame; the message says why.</exception>
    public static Frame Parse(ReadOnlySpan<byte> utf8Json) =>
        TryParse(utf8Json, out var frame, out var error) ? frame : throw new FormatException(error);

    /// <summary>Parses and validates a frame from UTF-8 bytes (copied).</summary>
    public static bool TryParse(ReadOnlySpan<byte> utf8Json, [NotNullWhen(true)] out Frame? frame, [NotNullWhen(false)] out string? error)
    {
        error = FrameValidator.Validate(utf8Json, out var envId);
        frame = error is null ? new Frame(utf8Json.ToArray(), envId) : null;
        return frame is not null;
    }

    /// <summary>Validates <paramref name="utf8Json"/> and takes ownership of it without copying.</summary>
    internal static bool TryWrap(byte[] utf8Json, [NotNullWhen(true)] out Frame? frame, [NotNullWhen(false)] out string? error)
    {
        error = FrameValidator.Validate(utf8Json, out var envId);
        frame = error is null ? new Frame(utf8Json, envId) : null;
        return frame is not null;
    }

    /// <summary>Builds a frame from body positions and rotations, optionally for one environment of a batch.</summary>
    /// <param name="positions">One <c>[x, y, z]</c> per body.</param>
    /// <param name="rotations">One quaternion <c>[w, x, y, z]</c> per body.</param>
    /// <param name="envId">The environment index of a batched scene, or null.</param>
    public static Frame FromPose(IReadOnlyList<double[]> positions, IReadOnlyList<double[]> rotations, int? envId = null)
    {
        ArgumentNullException.ThrowIfNull(positions);
        ArgumentNullException.ThrowIfNull(rotations);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("x");
            WriteVectors(writer, "pos", positions);
            WriteVectors(writer, "rot", rotations);
            writer.WriteEndObject();
            if (envId is { } id)
            {
                writer.WriteNumber("env_id", id);
            }

            writer.WriteEndObject();
        }

        return Parse(buffer.ToArray());
    }

    /// <summary>The frame's JSON text.</summary>
    public override string ToString() => Encoding.UTF8.GetString(_utf8Json);

    private static void WriteVectors(Utf8JsonWriter writer, string name, IReadOnlyList<double[]> vectors)
    {
        writer.WriteStartArray(name);
        foreach (var vector in vectors)
        {
            writer.WriteStartArray();
            foreach (var value in vector)
            {
                writer.WriteNumberValue(value);
            }

            writer.WriteEndArray();
        }

        writer.WriteEndArray();
    }
}
