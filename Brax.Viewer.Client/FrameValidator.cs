using System.Text.Json;

namespace Brax.Viewer.Client;

/// <summary>
/// Decides whether UTF-8 text is a Brax frame: one JSON object whose <c>x</c> member holds
/// <c>pos</c> (<c>[[x,y,z],…]</c>) and <c>rot</c> (<c>[[w,x,y,z],…]</c>) of equal length.
/// One forward pass with <see cref="Utf8JsonReader"/>, which also rejects everything that is
/// not strict JSON (bare <c>NaN</c>, trailing text, control bytes such as 0x1E); <see cref="JsonText"/>
/// first refuses text that is not UTF-8 or holds an unpaired surrogate escape.
/// </summary>
internal static class FrameValidator
{
    // SignalR's JSON envelope ({"arguments":[frame]}) adds two levels, and its readers allow 64.
    private const int MaxDepth = 62;

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
                    reader.Skip();
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
                if (!TryReadVectors(ref reader, 3, out positions))
                {
                    return "\"x.pos\" must be an array of [x, y, z] number arrays";
                }
            }
            else if (reader.ValueTextEquals("rot"u8))
            {
                reader.Read();
                if (!TryReadVectors(ref reader, 4, out rotations))
                {
                    return "\"x.rot\" must be an array of [w, x, y, z] number arrays";
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (positions < 0 || rotations < 0)
        {
            return "\"x\" must hold both \"pos\" and \"rot\"";
        }

        return positions == rotations ? null : "\"x.pos\" and \"x.rot\" must have one entry per body each";
    }

    private static bool TryReadVectors(ref Utf8JsonReader reader, int width, out int count)
    {
        count = 0;
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return false;
        }

        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.EndArray)
            {
                return true;
            }

            if (reader.TokenType != JsonTokenType.StartArray)
            {
                return false;
            }

            for (var i = 0; i < width; i++)
            {
                if (!reader.Read() || reader.TokenType != JsonTokenType.Number)
                {
                    return false;
                }
            }

            if (!reader.Read() || reader.TokenType != JsonTokenType.EndArray)
            {
                return false;
            }

            count++;
        }

        return false;
    }
}
