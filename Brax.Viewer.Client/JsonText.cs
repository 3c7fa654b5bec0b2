using System.Text.Json;
using System.Text.Unicode;

namespace Brax.Viewer.Client;

/// <summary>
/// What raw text must be beyond JSON's grammar, checked before the grammar: UTF-8 (RFC 8259 §8.1),
/// and strings and member names of Unicode characters, so no unpaired surrogate escape such as
/// <c>"\ud800"</c> (§8.2). Such a string has no UTF-16 or MessagePack form: relayed, it would
/// break every MessagePack viewer, and <see cref="Utf8JsonReader"/> throws on it when a name is compared.
/// </summary>
internal static class JsonText
{
    /// <summary>Null when the text is UTF-8 without an unpaired surrogate escape, else what is wrong.</summary>
    public static string? Problem(ReadOnlySpan<byte> utf8)
    {
        if (!Utf8.IsValid(utf8))
        {
            return "not UTF-8 text";
        }

        // Only an escape can spell a surrogate in valid UTF-8; frames rarely hold one.
        if (utf8.IndexOf("\\u"u8) < 0)
        {
            return null;
        }

        var reader = new Utf8JsonReader(utf8);
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName && reader.ValueIsEscaped)
                {
                    _ = reader.GetString();
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON: the caller's own reading says where.
        }
        catch (InvalidOperationException)
        {
            return "a string holds an unpaired surrogate escape (such as \\ud800), which is not Unicode text";
        }

        return null;
    }
}
