using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Brax.Viewer.Client;

/// <summary>Writes a <see cref="Frame"/> as its JSON text, unchanged; reads and validates one.</summary>
public sealed class FrameJsonConverter : JsonConverter<Frame>
{
    /// <inheritdoc />
    public override Frame Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        var raw = JsonMarshal.GetRawUtf8Value(document.RootElement);
        return Frame.TryParse(raw, out var frame, out var error) ? frame : throw new JsonException(error);
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, Frame value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);

        // Validated on the way in, so the writer need not check it again.
        writer.WriteRawValue(value.Utf8Json.Span, skipInputValidation: true);
    }
}
