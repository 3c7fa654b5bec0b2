using System.Security.Cryptography;
using System.Text.Json;
using Brax.Viewer.Hubs.State;

namespace Brax.Viewer.Server.Scenes;

/// <summary>
/// Checks that an upload is a Brax system JSON the page can draw (brax ≥ 0.10 layout: what
/// <c>brax.io.json.dumps(sys, states)</c> returns) and finds the facts the page needs beside it.
/// Every refusal names the problem, because the person reading it is usually debugging a streamer.
/// </summary>
internal static class SceneValidator
{
    /// <summary>The message for brax ≤ 0.1 output, which has a different schema altogether.</summary>
    public const string LegacyFormatMessage = "brax v1 (config/pos/rot) scene format is not supported";

    private static readonly HashSet<string> GeomTypes =
        new(["Plane", "HeightMap", "Sphere", "Capsule", "Cylinder", "Box", "Mesh"], StringComparer.Ordinal);

    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 64 };

    /// <summary>Validates <paramref name="json"/>; <paramref name="numEnvs"/> is the environment count the uploader gave, if any.</summary>
    public static SceneValidationResult Validate(ReadOnlyMemory<byte> json, int? numEnvs = null)
    {
        if (json.IsEmpty)
        {
            return SceneValidationResult.Fail("empty: a Brax system JSON is expected");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, DocumentOptions);
        }
        catch (JsonException e)
        {
            // Said without "request" or "file": the same words answer an upload and --system FILE.
            return SceneValidationResult.Fail($"not valid JSON (line {e.LineNumber + 1}: {FirstSentence(e.Message)})");
        }

        using (document)
        {
            var error = Check(document.RootElement, ref numEnvs, out var links);
            if (error is not null)
            {
                return SceneValidationResult.Fail(error);
            }

            var info = new SceneInfo(
                Tag(json.Span, numEnvs),
                links,
                numEnvs,
                numEnvs is { } n ? links / n : null,
                json.Length);
            return SceneValidationResult.Ok(info);
        }
    }

    private static string? Check(JsonElement root, ref int? numEnvs, out int links)
    {
        links = 0;
        if (root.ValueKind != JsonValueKind.Object)
        {
            return "a Brax system JSON must be a JSON object";
        }

        if (root.TryGetProperty("config", out _) && (root.TryGetProperty("pos", out _) || !root.TryGetProperty("geoms", out _)))
        {
            return LegacyFormatMessage;
        }

        if (!root.TryGetProperty("geoms", out var geoms))
        {
            return "missing 'geoms': this is not a Brax system JSON (send what brax.io.json.dumps(sys, states) returns)";
        }

        if (geoms.ValueKind != JsonValueKind.Object)
        {
            return "'geoms' must be an object mapping link names to lists of geoms";
        }

        var maxLinkIdx = -1;
        foreach (var group in geoms.EnumerateObject())
        {
            var error = CheckGroup(group, ref maxLinkIdx);
            if (error is not null)
            {
                return error;
            }
        }

        var statesError = CountLinks(root, out var stateLinks);
        if (statesError is not null)
        {
            return statesError;
        }

        int? namedLinks = root.TryGetProperty("link_names", out var names) && names.ValueKind == JsonValueKind.Array
            ? names.GetArrayLength()
            : null;
        if (namedLinks is { } named && stateLinks is { } counted && named != counted)
        {
            return $"'link_names' lists {named} links but states.x holds poses for {counted}";
        }

        links = namedLinks ?? stateLinks ?? maxLinkIdx + 1;
        if (maxLinkIdx >= links)
        {
            return $"a geom has link_idx {maxLinkIdx} but the scene has only {links} links";
        }

        if (numEnvs is null && root.TryGetProperty("num_envs", out var declared))
        {
            if (declared.ValueKind != JsonValueKind.Number || !declared.TryGetInt32(out var value))
            {
                return "'num_envs' must be a positive integer";
            }

            numEnvs = value;
        }

        if (numEnvs is { } envs && (envs < 1 || links % envs != 0))
        {
            return $"num_envs={envs} does not divide the scene's {links} links into equal environments";
        }

        return null;
    }

    private static string? CheckGroup(JsonProperty group, ref int maxLinkIdx)
    {
        var where = $"geoms['{group.Name}']";
        if (group.Value.ValueKind != JsonValueKind.Array)
        {
            return $"{where} must be a list of geoms";
        }

        var index = 0;
        foreach (var geom in group.Value.EnumerateArray())
        {
            var error = CheckGeom(geom, $"{where}[{index}]", ref maxLinkIdx);
            if (error is not null)
            {
                return error;
            }

            index++;
        }

        return null;
    }

    private static string? CheckGeom(JsonElement geom, string where, ref int maxLinkIdx)
    {
        if (geom.ValueKind != JsonValueKind.Object)
        {
            return $"{where} must be an object";
        }

        if (!geom.TryGetProperty("name", out var type) || type.ValueKind != JsonValueKind.String)
        {
            return $"{where} has no geom type ('name' must be one of {string.Join(", ", GeomTypes)})";
        }

        var typeName = type.GetString()!;
        if (!GeomTypes.Contains(typeName))
        {
            return $"unknown geom type '{typeName}' in {where} (expected one of {string.Join(", ", GeomTypes)})";
        }

        if (geom.TryGetProperty("transform", out _) && !geom.TryGetProperty("pos", out _))
        {
            return $"{where} uses the brax 0.9 geom layout (transform/halfsize), which is not supported; use brax 0.10 or later";
        }

        if (!geom.TryGetProperty("link_idx", out var linkIdx) || !linkIdx.TryGetInt32(out var link) || link < -1)
        {
            return $"{where} needs an integer 'link_idx' (-1 for static world geoms)";
        }

        maxLinkIdx = Math.Max(maxLinkIdx, link);

        var shapeError = Vector(geom, "pos", 3, where) ?? Vector(geom, "rot", 4, where);
        if (shapeError is not null)
        {
            return shapeError;
        }

        return typeName switch
        {
            "Mesh" => CheckMesh(geom, where),
            "HeightMap" => null,
            _ => Vector(geom, "size", 3, where),
        };
    }

    private static string? CheckMesh(JsonElement geom, string where)
    {
        if (!geom.TryGetProperty("vert", out var vert) || vert.ValueKind != JsonValueKind.Array
            || !geom.TryGetProperty("face", out var face) || face.ValueKind != JsonValueKind.Array)
        {
            return $"{where} is a Mesh without 'vert' and 'face' lists";
        }

        var vertices = vert.GetArrayLength();
        foreach (var triangle in face.EnumerateArray())
        {
            if (triangle.ValueKind != JsonValueKind.Array || triangle.GetArrayLength() != 3)
            {
                return $"{where}.face must hold triangles [i, j, k]";
            }

            foreach (var corner in triangle.EnumerateArray())
            {
                if (!corner.TryGetInt32(out var i) || i < 0 || i >= vertices)
                {
                    return $"{where}.face refers to a vertex outside its {vertices} vertices";
                }
            }
        }

        return null;
    }

    private static string? Vector(JsonElement geom, string name, int length, string where)
        => geom.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array && value.GetArrayLength() >= length
            ? null
            : $"{where} needs '{name}' as a list of {length} numbers";

    /// <summary>Finds the link count from the first state; accepts the list layout (brax ≥ 0.11) and the stacked one (0.10).</summary>
    private static string? CountLinks(JsonElement root, out int? links)
    {
        links = null;
        if (!root.TryGetProperty("states", out var states) || states.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (states.ValueKind != JsonValueKind.Object || !states.TryGetProperty("x", out var x))
        {
            return "'states' must be an object with 'x', the link transforms per time step";
        }

        JsonElement first;
        if (x.ValueKind == JsonValueKind.Array)
        {
            if (x.GetArrayLength() == 0)
            {
                return null;
            }

            first = x[0];
        }
        else if (x.ValueKind == JsonValueKind.Object)
        {
            first = x;
        }
        else
        {
            return "states.x must be a list of {pos, rot} transforms";
        }

        if (first.ValueKind != JsonValueKind.Object
            || !first.TryGetProperty("pos", out var pos) || pos.ValueKind != JsonValueKind.Array
            || !first.TryGetProperty("rot", out var rot) || rot.ValueKind != JsonValueKind.Array)
        {
            return "states.x entries need 'pos' and 'rot' lists";
        }

        if (x.ValueKind == JsonValueKind.Object)
        {
            // Stacked layout: pos is [T][L][3]; the link count is the length of one step.
            if (pos.GetArrayLength() == 0 || pos[0].ValueKind != JsonValueKind.Array)
            {
                return "states.x.pos must be a list of steps, each a list of link positions";
            }

            pos = pos[0];
            rot = rot.GetArrayLength() > 0 ? rot[0] : rot;
        }

        if (pos.GetArrayLength() != rot.GetArrayLength())
        {
            return $"states.x has {pos.GetArrayLength()} positions but {rot.GetArrayLength()} rotations";
        }

        links = pos.GetArrayLength();
        return null;
    }

    private static string Tag(ReadOnlySpan<byte> json, int? numEnvs)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(json, hash);
        return $"{Convert.ToHexStringLower(hash[..8])}-{numEnvs ?? 0}";
    }

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? message.TrimEnd('.') : message[..end];
    }
}

/// <summary>The outcome of <see cref="SceneValidator.Validate"/>: the scene's facts, or why it was refused.</summary>
internal readonly record struct SceneValidationResult(SceneInfo? Info, string? Error)
{
    public bool IsValid => Info is not null;

    public static SceneValidationResult Ok(SceneInfo info) => new(info, null);

    public static SceneValidationResult Fail(string error) => new(null, error);
}
