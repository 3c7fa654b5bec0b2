using System.Text.Json;
using System.Text.Json.Serialization;
using MessagePack;
using MessagePack.Formatters;

namespace Brax.Viewer.LoadGen.Frames;

/// <summary>The stamp a streamer put into a frame: which streamer, which frame, when it was sent.</summary>
internal readonly record struct FrameStamp(int Streamer, long Seq, long Timestamp)
{
    /// <summary>Reads the stamp from a frame's JSON text; stops as soon as it has it.</summary>
    public static bool TryRead(ReadOnlySpan<byte> utf8Json, out FrameStamp stamp)
    {
        stamp = default;
        try
        {
            var reader = new Utf8JsonReader(utf8Json);
            return reader.Read() && reader.TokenType == JsonTokenType.StartObject && TryReadMembers(ref reader, out stamp, skipRest: false);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>Reads members of the object the reader is in; with <paramref name="skipRest"/> it ends on the object's end.</summary>
    internal static bool TryReadMembers(ref Utf8JsonReader reader, out FrameStamp stamp, bool skipRest)
    {
        int streamer = 0, found = 0;
        long seq = 0, timestamp = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (found == 3 && !skipRest)
            {
                break;
            }

            if (found < 3 && reader.ValueTextEquals("s"u8))
            {
                reader.Read();
                streamer = reader.GetInt32();
                found++;
            }
            else if (found < 3 && reader.ValueTextEquals("seq"u8))
            {
                reader.Read();
                seq = reader.GetInt64();
                found++;
            }
            else if (found < 3 && reader.ValueTextEquals("t"u8))
            {
                reader.Read();
                timestamp = reader.GetInt64();
                found++;
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        stamp = new FrameStamp(streamer, seq, timestamp);
        return found == 3;
    }
}

/// <summary>
/// What a SignalR viewer binds <c>ReceiveFrame</c>'s argument to: only the stamp, read straight from
/// the hub protocol's reader, so the generator does not pay for a full frame parse per delivery.
/// </summary>
[JsonConverter(typeof(StampedFrameJsonConverter))]
[MessagePackFormatter(typeof(StampedFrameMessagePackFormatter))]
internal sealed class StampedFrame(FrameStamp stamp)
{
    public FrameStamp Stamp { get; } = stamp;
}

internal sealed class StampedFrameJsonConverter : JsonConverter<StampedFrame>
{
    public override StampedFrame Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject || !FrameStamp.TryReadMembers(ref reader, out var stamp, skipRest: true))
        {
            throw new JsonException("the frame carries no s/seq/t stamp");
        }

        return new StampedFrame(stamp);
    }

    public override void Write(Utf8JsonWriter writer, StampedFrame value, JsonSerializerOptions options) =>
        throw new NotSupportedException("viewers only read frames");
}

internal sealed class StampedFrameMessagePackFormatter : IMessagePackFormatter<StampedFrame?>
{
    public StampedFrame? Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        if (reader.TryReadNil())
        {
            return null;
        }

        int streamer = 0, found = 0;
        long seq = 0, timestamp = 0;
        var members = reader.ReadMapHeader();
        for (var i = 0; i < members; i++)
        {
            var key = reader.ReadStringSequence() ?? default;
            var name = key.IsSingleSegment ? key.FirstSpan : System.Buffers.BuffersExtensions.ToArray(key);
            if (name.SequenceEqual("s"u8))
            {
                streamer = reader.ReadInt32();
                found++;
            }
            else if (name.SequenceEqual("seq"u8))
            {
                seq = reader.ReadInt64();
                found++;
            }
            else if (name.SequenceEqual("t"u8))
            {
                timestamp = reader.ReadInt64();
                found++;
            }
            else
            {
                reader.Skip();
            }
        }

        return found == 3
            ? new StampedFrame(new FrameStamp(streamer, seq, timestamp))
            : throw new MessagePackSerializationException("the frame carries no s/seq/t stamp");
    }

    public void Serialize(ref MessagePackWriter writer, StampedFrame? value, MessagePackSerializerOptions options) =>
        throw new NotSupportedException("viewers only read frames");
}
