using System.Buffers;
using System.Text.Json;
using MessagePack;

namespace Brax.Viewer.Client;

/// <summary>
/// Converts frame documents between JSON and MessagePack without a typed model in between.
/// Integers stay integers; every other number is a float64, so no value is rounded.
/// </summary>
internal static class FrameTranscoder
{
    public static byte[] JsonToMessagePack(ReadOnlyMemory<byte> utf8Json)
    {
        using var document = JsonDocument.Parse(utf8Json);
        var output = new ArrayBufferWriter<byte>(utf8Json.Length);
        var writer = new MessagePackWriter(output);
        Write(ref writer, document.RootElement);
        writer.Flush();
        return output.WrittenSpan.ToArray();
    }

    public static byte[] MessagePackToJson(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        var output = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(output, new JsonWriterOptions { SkipValidation = false }))
        {
            try
            {
                Write(ref reader, writer, options);
            }
            catch (ArgumentException ex)
            {
                // Utf8JsonWriter refuses NaN and infinities: they have no JSON form.
                throw new MessagePackSerializationException("a frame value has no JSON form: " + ex.Message, ex);
            }
        }

        return output.WrittenSpan.ToArray();
    }

    private static void Write(ref MessagePackWriter writer, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var count = 0;
                foreach (var _ in element.EnumerateObject())
                {
                    count++;
                }

                writer.WriteMapHeader(count);
                foreach (var property in element.EnumerateObject())
                {
                    writer.Write(property.Name);
                    Write(ref writer, property.Value);
                }

                break;
            case JsonValueKind.Array:
                writer.WriteArrayHeader(element.GetArrayLength());
                foreach (var item in element.EnumerateArray())
                {
                    Write(ref writer, item);
                }

                break;
            case JsonValueKind.String:
                writer.Write(element.GetString());
                break;
            case JsonValueKind.Number:
                if (element.TryGetInt64(out var integer))
                {
                    writer.Write(integer);
                }
                else if (element.TryGetUInt64(out var unsigned))
                {
                    writer.Write(unsigned);
                }
                else
                {
                    writer.Write(element.GetDouble());
                }

                break;
            case JsonValueKind.True:
                writer.Write(true);
                break;
            case JsonValueKind.False:
                writer.Write(false);
                break;
            default:
                writer.WriteNil();
                break;
        }
    }

    private static void Write(ref MessagePackReader reader, Utf8JsonWriter writer, MessagePackSerializerOptions options)
    {
        switch (reader.NextMessagePackType)
        {
            case MessagePackType.Map:
                options.Security.DepthStep(ref reader);
                var properties = reader.ReadMapHeader();
                writer.WriteStartObject();
                for (var i = 0; i < properties; i++)
                {
                    if (reader.NextMessagePackType != MessagePackType.String)
                    {
                        throw new MessagePackSerializationException("a frame's map keys must be strings");
                    }

                    writer.WritePropertyName(reader.ReadString()!);
                    Write(ref reader, writer, options);
                }

                writer.WriteEndObject();
                reader.Depth--;
                break;
            case MessagePackType.Array:
                options.Security.DepthStep(ref reader);
                var items = reader.ReadArrayHeader();
                writer.WriteStartArray();
                for (var i = 0; i < items; i++)
                {
                    Write(ref reader, writer, options);
                }

                writer.WriteEndArray();
                reader.Depth--;
                break;
            case MessagePackType.Integer:
                if (reader.NextCode is >= MessagePackCode.MinNegativeFixInt or MessagePackCode.Int8 or MessagePackCode.Int16 or MessagePackCode.Int32 or MessagePackCode.Int64)
                {
                    writer.WriteNumberValue(reader.ReadInt64());
                }
                else
                {
                    writer.WriteNumberValue(reader.ReadUInt64());
                }

                break;
            case MessagePackType.Float:
                writer.WriteNumberValue(reader.ReadDouble());
                break;
            case MessagePackType.String:
                writer.WriteStringValue(reader.ReadString());
                break;
            case MessagePackType.Boolean:
                writer.WriteBooleanValue(reader.ReadBoolean());
                break;
            case MessagePackType.Nil:
                reader.ReadNil();
                writer.WriteNullValue();
                break;
            default:
                throw new MessagePackSerializationException($"a frame cannot hold MessagePack {reader.NextMessagePackType} values");
        }
    }
}
