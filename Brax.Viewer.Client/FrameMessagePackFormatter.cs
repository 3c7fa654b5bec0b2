using MessagePack;
using MessagePack.Formatters;

namespace Brax.Viewer.Client;

/// <summary>
/// Writes a <see cref="Frame"/> as a MessagePack map with the frame's keys and values (floating-point
/// numbers as float64); reads one back into JSON text and validates it.
/// </summary>
public sealed class FrameMessagePackFormatter : IMessagePackFormatter<Frame?>
{
    /// <inheritdoc />
    public void Serialize(ref MessagePackWriter writer, Frame? value, MessagePackSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNil();
            return;
        }

        writer.WriteRaw(value.MessagePack);
    }

    /// <inheritdoc />
    public Frame? Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (reader.TryReadNil())
        {
            return null;
        }

        var json = FrameTranscoder.MessagePackToJson(ref reader, options);
        return Frame.TryWrap(json, out var frame, out var error)
            ? frame
            : throw new MessagePackSerializationException(error);
    }
}
