using System.Text.Json;

namespace Brax.Viewer.Client;

/// <summary>
/// Decides whether UTF-8 text is a Brax frame: one JSON object whose <c>x</c> member holds
/// <c>pos</c> (<c>[[x,y,z],…]</c>) and <c>rot</c> (<c>[[w,x,y,z],…]</c>) of equal length.
/// One forward pass with <see cref="Utf8JsonReader"/>, which also rejects everything that is
/// not strict JSON (bare <c>NaN</c>, trailing text, control bytes such as 0x1E), and every number
/// anywhere in the frame that has no finite float64 value (<c>1e999</c>): JSON allows it, but a
/// MessagePack viewer would get <c>Infinity</c> and a browser's <c>JSON.parse</c> too.
/// <see cref="JsonText"/> first refuses text that is not UTF-8 or holds an unpaired surrogate escape.
/// A frame without escapes is first given to <see cref="FrameScanner"/>, which proves the common
/// case valid several times faster; what it does not prove is decided here.
/// </summary>
internal static class FrameValidator
{
    // SignalR's JSON envelope ({"arguments":[frame]}) adds two levels, and its readers allow 64.
    private const int MaxDepth = 62;

    // A number written without an exponent needs more than 308 digits to pass double.MaxValue;
    // anything shorter is finite without being parsed, which keeps the common case cheap.
    private const int ShortestOverflowWithoutExponent = 309;

    /// <summary>Returns null for a valid frame, else what is wrong with it.</summary>
    public static string? Validate(ReadOnlySpan<byte> utf8Json) => Validate(utf8Json, out _);

    /// <summary>
    /// Returns null for a valid frame, else what is wrong with it; <paramref name="envId"/> is the
    /// frame's integer <c>env_id</c>, if it has one.
    /// </summary>
    public static string? Validate(ReadOnlySpan<byte> utf8Json, out int? envId)
    {
        envId = null;
        if (JsonText.Problem(utf8Json) is { } textProblem)
        {
            return textProblem;
        }

        // The common frame, proven valid in one pass; escapes, rare numbers and every error take the reader.
        if (utf8Json.IndexOf((byte)'\\') < 0 && FrameScanner.TryProveValid(utf8Json, out envId))
        {
            return null;
        }

        return ValidateWithReader(utf8Json, out envId);
    }

    /// <summary>The reader's decision alone, for text <see cref="FrameScanner"/> did not prove valid (and for tests that compare the two).</summary>
    internal static string? ValidateWithReader(ReadOnlySpan<byte> utf8Json, out int? envId)
    {
        envId = null;
        var reader = new Utf8JsonReader(utf8Json, new JsonReaderOptions { MaxDepth = MaxDepth });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return "a frame must be a JSON object";
            }

            var sawPose = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isPose = reader.ValueTextEquals("x"u8);
                var isEnvId = reader.ValueTextEquals("env_id"u8);
                reader.Read();
                if (isEnvId && reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var env))
                {
                    envId = env;
                }

                if (!isPose)
                {
                    if (SkipValue(ref reader) is { } valueError)
                    {
                        return valueError;
                    }

                    continue;
                }

                if (sawPose)
                {
                    return "a frame has exactly one \"x\" member";
                }

                sawPose = true;
                if (ValidatePose(ref reader) is { } poseError)
                {
                    return poseError;
                }
            }

            if (!sawPose)
            {
                return "a frame needs an \"x\" member with \"pos\" and \"rot\"";
            }

            // Anything after the object (a second value, garbage) makes the reader throw.
            reader.Read();
            return null;
        }
        catch (JsonException ex)
        {
            return "not valid JSON: " + ex.Message;
        }
    }

    private static string? ValidatePose(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return "\"x\" must be an object with \"pos\" and \"rot\"";
        }

        int positions = -1, rotations = -1;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("pos"u8))
            {
                reader.Read();
                if (ReadVectors(ref reader, 3, out positions) is { } numberError)
                {
                    return numberError;
                }

                if (positions < 0)
                {
                    return "\"x.pos\" must be an array of [x, y, z] number arrays";
                }
            }
            else if (reader.ValueTextEquals("rot"u8))
            {
                reader.Read();
                if (ReadVectors(ref reader, 4, out rotations) is { } numberError)
                {
                    return numberError;
                }

                if (rotations < 0)
                {
                    return "\"x.rot\" must be an array of [w, x, y, z] number arrays";
                }
            }
            else
            {
                reader.Read();
                if (SkipValue(ref reader) is { } valueError)
                {
                    return valueError;
                }
            }
        }

        if (positions < 0 || rotations < 0)
        {
            return "\"x\" must hold both \"pos\" and \"rot\"";
        }

        return positions == rotations ? null : "\"x.pos\" and \"x.rot\" must have one entry per body each";
    }

    /// <summary>
    /// Reads an array of <paramref name="width"/>-number arrays: <paramref name="count"/> is its
    /// length, or -1 when it has another shape. Returns the problem with a number that has no
    /// finite float64 value, if there is one.
    /// </summary>
    private static string? ReadVectors(ref Utf8JsonReader reader, int width, out int count)
    {
        count = -1;
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return null;
        }

        var vectors = 0;
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.EndArray)
            {
                count = vectors;
                return null;
            }

            if (reader.TokenType != JsonTokenType.StartArray)
            {
                return null;
            }

            for (var i = 0; i < width; i++)
            {
                if (!reader.Read() || reader.TokenType != JsonTokenType.Number)
                {
                    return null;
                }

                if (NumberError(ref reader) is { } numberError)
                {
                    return numberError;
                }
            }

            if (!reader.Read() || reader.TokenType != JsonTokenType.EndArray)
            {
                return null;
            }

            vectors++;
        }

        return null;
    }

    /// <summary>Passes over the value at the reader, checking every number in it.</summary>
    private static string? SkipValue(ref Utf8JsonReader reader)
    {
        if (reader.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray))
        {
            return reader.TokenType == JsonTokenType.Number ? NumberError(ref reader) : null;
        }

        var depth = reader.CurrentDepth;
        while (reader.Read() && reader.CurrentDepth > depth)
        {
            if (reader.TokenType == JsonTokenType.Number && NumberError(ref reader) is { } numberError)
            {
                return numberError;
            }
        }

        return null;
    }

    /// <summary>Why the number at the reader is refused: it has no finite float64 value.</summary>
    private static string? NumberError(ref Utf8JsonReader reader)
    {
        var text = reader.ValueSpan;
        if (text.Length < ShortestOverflowWithoutExponent && text.IndexOfAny((byte)'e', (byte)'E') < 0)
        {
            return null;
        }

        // Utf8JsonReader reads 1e999 as an infinity rather than failing, so the value is checked.
        if (reader.TryGetDouble(out var value) && double.IsFinite(value))
        {
            return null;
        }

        var shown = System.Text.Encoding.UTF8.GetString(text[..Math.Min(text.Length, 32)]) + (text.Length > 32 ? "…" : string.Empty);
        return $"the number {shown} does not fit a float64 (finite double); numbers outside ±1.8e308 are refused like NaN and Infinity";
    }
}
