using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Brax.Viewer.Hubs.State;

namespace Brax.Viewer.Server.Scenes;

/// <summary>
/// Checks that an upload is a Brax system JSON the page can draw (brax ≥ 0.10 layout: what
/// <c>brax.io.json.dumps(sys, states)</c> returns) and finds the facts the page needs beside it.
/// Every refusal names the problem, because the person reading it is usually debugging a streamer.
/// </summary>
/// <remarks>
/// One forward pass with <see cref="Utf8JsonReader"/> over the bytes as uploaded, which are what
/// the store keeps: no document is built, so validating costs next to nothing beside the scene
/// (a DOM of a 52 MB scene took about 16 times its size). What a check needs from later in an
/// object (a geom's <c>vert</c> after its <c>face</c>, <c>geoms</c> after <c>config</c>) is
/// collected on the way and decided at the end of that object, in the order the checks are listed.
/// </remarks>
internal static class SceneValidator
{
    /// <summary>The message for brax ≤ 0.1 output, which has a different schema altogether.</summary>
    public const string LegacyFormatMessage = "brax v1 (config/pos/rot) scene format is not supported";

    private const int MaxDepth = 64;

    // As in FrameValidator: a number without an exponent needs 309 digits to pass double.MaxValue.
    private const int ShortestOverflowWithoutExponent = 309;

    private static readonly HashSet<string> GeomTypes =
        new(["Plane", "HeightMap", "Sphere", "Capsule", "Cylinder", "Box", "Mesh"], StringComparer.Ordinal);

    /// <summary>Validates <paramref name="json"/>; <paramref name="numEnvs"/> is the environment count the uploader gave, if any.</summary>
    public static SceneValidationResult Validate(ReadOnlyMemory<byte> json, int? numEnvs = null)
    {
        if (json.IsEmpty)
        {
            return SceneValidationResult.Fail("empty: a Brax system JSON is expected");
        }

        var scene = new Facts();
        var reader = new Utf8JsonReader(json.Span, new JsonReaderOptions { MaxDepth = MaxDepth });
        try
        {
            reader.Read();
            ReadRoot(ref reader, scene);

            // Anything after the root value (a second value, garbage) makes the reader throw.
            reader.Read();
        }
        catch (JsonException e)
        {
            // Said without "request" or "file": the same words answer an upload and --system FILE.
            return SceneValidationResult.Fail($"not valid JSON (line {e.LineNumber + 1}: {FirstSentence(e.Message)})");
        }

        var error = scene.Decide(ref numEnvs, out var links);
        if (error is not null)
        {
            return SceneValidationResult.Fail(error);
        }

        return SceneValidationResult.Ok(new SceneInfo(Tag(json.Span, numEnvs), links, numEnvs, numEnvs is { } n ? links / n : null, json.Length));
    }

    private static void ReadRoot(ref Utf8JsonReader reader, Facts scene)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            scene.NotAnObject = true;
            Skip(ref reader, scene);
            return;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("geoms"u8))
            {
                scene.HasGeoms = true;
                reader.Read();
                ReadGeoms(ref reader, scene);
            }
            else if (reader.ValueTextEquals("states"u8))
            {
                reader.Read();
                ReadStates(ref reader, scene);
            }
            else if (reader.ValueTextEquals("link_names"u8))
            {
                reader.Read();
                var count = Count(ref reader, scene);
                scene.NamedLinks = count < 0 ? null : count;
            }
            else if (reader.ValueTextEquals("num_envs"u8))
            {
                reader.Read();
                scene.HasNumEnvs = true;
                scene.DeclaredEnvs = reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var envs) ? envs : null;
                Skip(ref reader, scene);
            }
            else
            {
                scene.HasConfig |= reader.ValueTextEquals("config"u8);
                scene.HasPos |= reader.ValueTextEquals("pos"u8);
                reader.Read();
                Skip(ref reader, scene);
            }
        }
    }

    private static void ReadGeoms(ref Utf8JsonReader reader, Facts scene)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            scene.GeomsNotAnObject = true;
            Skip(ref reader, scene);
            return;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var group = reader.GetString()!;
            reader.Read();
            if (scene.GeomError is not null)
            {
                Skip(ref reader, scene);
            }
            else if (reader.TokenType != JsonTokenType.StartArray)
            {
                scene.GeomError = $"geoms['{group}'] must be a list of geoms";
                Skip(ref reader, scene);
            }
            else
            {
                var index = 0;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    var error = ReadGeom(ref reader, scene);
                    scene.GeomError ??= error is null ? null : string.Format(System.Globalization.CultureInfo.InvariantCulture, error, $"geoms['{group}'][{index}]");
                    index++;
                }
            }
        }
    }

    /// <summary>Reads one geom; returns what is wrong with it, with <c>{0}</c> where it is named.</summary>
    private static string? ReadGeom(ref Utf8JsonReader reader, Facts scene)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            Skip(ref reader, scene);
            return "{0} must be an object";
        }

        var geom = new Geom();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("name"u8))
            {
                reader.Read();
                geom.Type = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                Skip(ref reader, scene);
            }
            else if (reader.ValueTextEquals("link_idx"u8))
            {
                reader.Read();
                geom.LinkIdx = reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var link) ? link : null;
                Skip(ref reader, scene);
            }
            else if (reader.ValueTextEquals("pos"u8))
            {
                reader.Read();
                geom.HasPos = true;
                geom.Pos = Count(ref reader, scene);
            }
            else if (reader.ValueTextEquals("rot"u8))
            {
                reader.Read();
                geom.Rot = Count(ref reader, scene);
            }
            else if (reader.ValueTextEquals("size"u8))
            {
                reader.Read();
                geom.Size = Count(ref reader, scene);
            }
            else if (reader.ValueTextEquals("vert"u8))
            {
                reader.Read();
                geom.Vertices = Count(ref reader, scene);
            }
            else if (reader.ValueTextEquals("face"u8))
            {
                reader.Read();
                ReadFaces(ref reader, scene, ref geom);
            }
            else
            {
                geom.HasTransform |= reader.ValueTextEquals("transform"u8);
                reader.Read();
                Skip(ref reader, scene);
            }
        }

        return geom.Decide(scene);
    }

    /// <summary>
    /// Reads a mesh's triangles. Which problem comes first can depend on the vertex count, which may
    /// come later in the geom, so this keeps the first problem that does not depend on it and the
    /// largest vertex index of the well-formed triangles before it.
    /// </summary>
    private static void ReadFaces(ref Utf8JsonReader reader, Facts scene, ref Geom geom)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            Skip(ref reader, scene);
            return;
        }

        geom.HasFaces = true;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartArray)
            {
                geom.FaceProblem ??= FaceProblem.NotATriangle;
                Skip(ref reader, scene);
                continue;
            }

            var corners = 0;
            var outside = false;
            var largest = -1;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                corners++;
                if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var corner) && corner >= 0)
                {
                    largest = Math.Max(largest, corner);
                }
                else
                {
                    outside = true;
                }

                Skip(ref reader, scene);
            }

            if (geom.FaceProblem is not null)
            {
                continue;
            }

            if (corners != 3)
            {
                geom.FaceProblem = FaceProblem.NotATriangle;
            }
            else if (outside)
            {
                geom.FaceProblem = FaceProblem.Outside;
            }
            else
            {
                geom.LargestCorner = Math.Max(geom.LargestCorner, largest);
            }
        }
    }

    private static void ReadStates(ref Utf8JsonReader reader, Facts scene)
    {
        const string NotStates = "'states' must be an object with 'x', the link transforms per time step";
        if (reader.TokenType == JsonTokenType.Null)
        {
            return;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            scene.StatesError ??= NotStates;
            Skip(ref reader, scene);
            return;
        }

        var hasX = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isX = reader.ValueTextEquals("x"u8);
            reader.Read();
            if (!isX)
            {
                Skip(ref reader, scene);
                continue;
            }

            hasX = true;
            if (reader.TokenType == JsonTokenType.StartArray)
            {
                // List layout (brax ≥ 0.11): the link count is the length of the first step's pos.
                if (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    var error = ReadTransform(ref reader, scene).Error(stacked: false, out var links);
                    scene.StatesError ??= error;
                    scene.StateLinks = links;
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        Skip(ref reader, scene);
                    }
                }
            }
            else if (reader.TokenType == JsonTokenType.StartObject)
            {
                // Stacked layout (brax 0.10): pos is [T][L][3]; the link count is the length of one step.
                var error = ReadTransform(ref reader, scene).Error(stacked: true, out var links);
                scene.StatesError ??= error;
                scene.StateLinks = links;
            }
            else
            {
                scene.StatesError ??= "states.x must be a list of {pos, rot} transforms";
                Skip(ref reader, scene);
            }
        }

        if (!hasX)
        {
            scene.StatesError ??= NotStates;
        }
    }

    /// <summary>Reads one <c>{pos, rot}</c> transform: how long its lists and their first items are.</summary>
    private static Transform ReadTransform(ref Utf8JsonReader reader, Facts scene)
    {
        var transform = new Transform { Pos = -1, Rot = -1, FirstPos = -1, FirstRot = -1 };
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            Skip(ref reader, scene);
            return transform;
        }

        transform.IsObject = true;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("pos"u8))
            {
                reader.Read();
                transform.Pos = Count(ref reader, scene, out transform.FirstPos);
            }
            else if (reader.ValueTextEquals("rot"u8))
            {
                reader.Read();
                transform.Rot = Count(ref reader, scene, out transform.FirstRot);
            }
            else
            {
                reader.Read();
                Skip(ref reader, scene);
            }
        }

        return transform;
    }

    /// <summary>The length of the array at the reader, or -1 when it is not an array; passes over it.</summary>
    private static int Count(ref Utf8JsonReader reader, Facts scene) => Count(ref reader, scene, out _);

    /// <summary>
    /// The length of the array at the reader, or -1 when it is not an array; <paramref name="firstLength"/>
    /// is the length of its first item, or -1 when that is not an array or there is none. Passes over it.
    /// </summary>
    private static int Count(ref Utf8JsonReader reader, Facts scene, out int firstLength)
    {
        firstLength = -1;
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            Skip(ref reader, scene);
            return -1;
        }

        var count = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (count == 0 && reader.TokenType == JsonTokenType.StartArray)
            {
                firstLength = Count(ref reader, scene);
            }
            else
            {
                Skip(ref reader, scene);
            }

            count++;
        }

        return count;
    }

    /// <summary>Passes over the value at the reader, checking every number in it.</summary>
    private static void Skip(ref Utf8JsonReader reader, Facts scene)
    {
        if (reader.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray))
        {
            CheckNumber(ref reader, scene);
            return;
        }

        var depth = reader.CurrentDepth;
        while (reader.Read() && reader.CurrentDepth > depth)
        {
            CheckNumber(ref reader, scene);
        }
    }

    /// <summary>Notes the first number that has no finite float64 value: the page could not draw it.</summary>
    private static void CheckNumber(ref Utf8JsonReader reader, Facts scene)
    {
        if (reader.TokenType != JsonTokenType.Number || scene.NumberError is not null)
        {
            return;
        }

        var text = reader.ValueSpan;
        if (text.Length < ShortestOverflowWithoutExponent && text.IndexOfAny((byte)'e', (byte)'E') < 0)
        {
            return;
        }

        if (!reader.TryGetDouble(out var value) || !double.IsFinite(value))
        {
            var shown = Encoding.UTF8.GetString(text[..Math.Min(text.Length, 32)]) + (text.Length > 32 ? "…" : string.Empty);
            scene.NumberError = $"the number {shown} does not fit a float64 (finite double); numbers outside ±1.8e308 are refused";
        }
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

    private enum FaceProblem
    {
        NotATriangle,
        Outside,
    }

    /// <summary>What the pass found in the whole scene, decided in the order the checks are listed.</summary>
    private sealed class Facts
    {
        public bool NotAnObject { get; set; }

        public string? NumberError { get; set; }

        public bool HasConfig { get; set; }

        public bool HasPos { get; set; }

        public bool HasGeoms { get; set; }

        public bool GeomsNotAnObject { get; set; }

        public string? GeomError { get; set; }

        public int MaxLinkIdx { get; set; } = -1;

        public string? StatesError { get; set; }

        public int? StateLinks { get; set; }

        public int? NamedLinks { get; set; }

        public bool HasNumEnvs { get; set; }

        public int? DeclaredEnvs { get; set; }

        public string? Decide(ref int? numEnvs, out int links)
        {
            links = 0;
            if (NotAnObject)
            {
                return "a Brax system JSON must be a JSON object";
            }

            if (NumberError is not null)
            {
                return NumberError;
            }

            if (HasConfig && (HasPos || !HasGeoms))
            {
                return LegacyFormatMessage;
            }

            if (!HasGeoms)
            {
                return "missing 'geoms': this is not a Brax system JSON (send what brax.io.json.dumps(sys, states) returns)";
            }

            if (GeomsNotAnObject)
            {
                return "'geoms' must be an object mapping link names to lists of geoms";
            }

            if ((GeomError ?? StatesError) is { } error)
            {
                return error;
            }

            if (NamedLinks is { } named && StateLinks is { } counted && named != counted)
            {
                return $"'link_names' lists {named} links but states.x holds poses for {counted}";
            }

            links = NamedLinks ?? StateLinks ?? MaxLinkIdx + 1;
            if (MaxLinkIdx >= links)
            {
                return $"a geom has link_idx {MaxLinkIdx} but the scene has only {links} links";
            }

            if (numEnvs is null && HasNumEnvs)
            {
                if (DeclaredEnvs is null)
                {
                    return "'num_envs' must be a positive integer";
                }

                numEnvs = DeclaredEnvs;
            }

            if (numEnvs is { } envs && (envs < 1 || links % envs != 0))
            {
                return $"num_envs={envs} does not divide the scene's {links} links into equal environments";
            }

            return null;
        }
    }

    /// <summary>What one geom holds; list lengths are -1 when absent or not a list.</summary>
    private struct Geom
    {
        public Geom()
        {
        }

        public string? Type { get; set; }

        public int? LinkIdx { get; set; }

        public bool HasTransform { get; set; }

        public bool HasPos { get; set; }

        public int Pos { get; set; } = -1;

        public int Rot { get; set; } = -1;

        public int Size { get; set; } = -1;

        public int Vertices { get; set; } = -1;

        public bool HasFaces { get; set; }

        public FaceProblem? FaceProblem { get; set; }

        public int LargestCorner { get; set; } = -1;

        /// <summary>What is wrong with the geom, with <c>{0}</c> where it is named; notes its link.</summary>
        public readonly string? Decide(Facts scene)
        {
            if (Type is null)
            {
                return "{0} has no geom type ('name' must be one of " + string.Join(", ", GeomTypes) + ")";
            }

            if (!GeomTypes.Contains(Type))
            {
                return $"unknown geom type '{Escape(Type)}' in {{0}} (expected one of {string.Join(", ", GeomTypes)})";
            }

            if (HasTransform && !HasPos)
            {
                return "{0} uses the brax 0.9 geom layout (transform/halfsize), which is not supported; use brax 0.10 or later";
            }

            if (LinkIdx is not { } link || link < -1)
            {
                return "{0} needs an integer 'link_idx' (-1 for static world geoms)";
            }

            scene.MaxLinkIdx = Math.Max(scene.MaxLinkIdx, link);
            if (Pos < 3)
            {
                return "{0} needs 'pos' as a list of 3 numbers";
            }

            if (Rot < 4)
            {
                return "{0} needs 'rot' as a list of 4 numbers";
            }

            return Type switch
            {
                "Mesh" => MeshError(),
                "HeightMap" => null,
                _ => Size < 3 ? "{0} needs 'size' as a list of 3 numbers" : null,
            };
        }

        private readonly string? MeshError()
        {
            if (Vertices < 0 || !HasFaces)
            {
                return "{0} is a Mesh without 'vert' and 'face' lists";
            }

            if (LargestCorner >= Vertices || FaceProblem == SceneValidator.FaceProblem.Outside)
            {
                return $"{{0}}.face refers to a vertex outside its {Vertices} vertices";
            }

            return FaceProblem == SceneValidator.FaceProblem.NotATriangle ? "{0}.face must hold triangles [i, j, k]" : null;
        }

        // The type name goes into a format string: braces in it are not placeholders.
        private static string Escape(string text) => text.Replace("{", "{{", StringComparison.Ordinal).Replace("}", "}}", StringComparison.Ordinal);
    }

    /// <summary>What one <c>{pos, rot}</c> transform of <c>states.x</c> holds; lengths are -1 when absent or not a list.</summary>
    private struct Transform
    {
        public bool IsObject;
        public int Pos;
        public int Rot;
        public int FirstPos;
        public int FirstRot;

        public readonly string? Error(bool stacked, out int? links)
        {
            links = null;
            if (!IsObject || Pos < 0 || Rot < 0)
            {
                return "states.x entries need 'pos' and 'rot' lists";
            }

            var positions = Pos;
            var rotations = Rot;
            if (stacked)
            {
                if (Pos == 0 || FirstPos < 0)
                {
                    return "states.x.pos must be a list of steps, each a list of link positions";
                }

                if (Rot > 0 && FirstRot < 0)
                {
                    return "states.x.rot must be a list of steps, each a list of link rotations";
                }

                positions = FirstPos;
                rotations = Rot > 0 ? FirstRot : Rot;
            }

            if (positions != rotations)
            {
                return $"states.x has {positions} positions but {rotations} rotations";
            }

            links = positions;
            return null;
        }
    }
}

/// <summary>The outcome of <see cref="SceneValidator.Validate"/>: the scene's facts, or why it was refused.</summary>
internal readonly record struct SceneValidationResult(SceneInfo? Info, string? Error)
{
    public bool IsValid => Info is not null;

    public static SceneValidationResult Ok(SceneInfo info) => new(info, null);

    public static SceneValidationResult Fail(string error) => new(null, error);
}
