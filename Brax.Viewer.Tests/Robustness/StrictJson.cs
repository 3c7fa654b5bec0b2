using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Unicode;

namespace Brax.Viewer.Tests.Robustness;

/// <summary>
/// An oracle for "valid JSON", stricter than any one parser's leniency: RFC 8259 text exchanged
/// between systems is UTF-8 (§8.1), is one value (§2), and its strings are Unicode characters, so
/// every string and name has a UTF-16 form (§8.2: an unpaired surrogate escape such as
/// <c>"\ud800"</c> has none, and a receiver's behaviour with it is unpredictable). Nesting is
/// limited to 64 levels, the server's documented limit.
/// </summary>
internal static class StrictJson
{
    public static bool TryParse(byte[] bytes, [NotNullWhen(true)] out JsonDocument? document, [NotNullWhen(false)] out string? why)
    {
        document = null;
        if (!Utf8.IsValid(bytes))
        {
            why = "not UTF-8";
            return false;
        }

        try
        {
            document = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException ex)
        {
            why = "not JSON: " + ex.Message;
            return false;
        }

        if (!AllStringsDecode(document.RootElement))
        {
            document.Dispose();
            document = null;
            why = "a string or name holds an unpaired surrogate";
            return false;
        }

        why = null;
        return true;
    }

    /// <summary>Equal in value: the same members in the same order, numbers equal as numbers.</summary>
    public static bool Equivalent(JsonElement a, JsonElement b)
    {
        if (a.ValueKind != b.ValueKind)
        {
            return false;
        }

        switch (a.ValueKind)
        {
            case JsonValueKind.Object:
                var left = a.EnumerateObject().ToList();
                var right = b.EnumerateObject().ToList();
                return left.Count == right.Count && left.Zip(right).All(pair => pair.First.Name == pair.Second.Name && Equivalent(pair.First.Value, pair.Second.Value));
            case JsonValueKind.Array:
                return a.GetArrayLength() == b.GetArrayLength() && a.EnumerateArray().Zip(b.EnumerateArray()).All(pair => Equivalent(pair.First, pair.Second));
            case JsonValueKind.String:
                return a.GetString() == b.GetString();
            case JsonValueKind.Number:
                return a.TryGetInt64(out var l) && b.TryGetInt64(out var r) ? l == r
                    : a.TryGetUInt64(out var ul) && b.TryGetUInt64(out var ur) ? ul == ur
                    : a.GetDouble().Equals(b.GetDouble());
            default:
                return true;
        }
    }

    private static bool AllStringsDecode(JsonElement element)
    {
        try
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.Object:
                    return element.EnumerateObject().All(property => property.Name is not null && AllStringsDecode(property.Value));
                case JsonValueKind.Array:
                    return element.EnumerateArray().All(AllStringsDecode);
                case JsonValueKind.String:
                    return element.GetString() is not null;
                default:
                    return true;
            }
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
