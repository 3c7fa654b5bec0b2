using Brax.Viewer.Tests.Infrastructure;
using CsCheck;

namespace Brax.Viewer.Tests.Robustness;

/// <summary>
/// Generators of raw input: the fixture frames (<c>testdata/brax/*.frames.jsonl</c>) and good
/// control messages, changed by one to three <see cref="Mutation"/>s; random bytes; and random
/// JSON-shaped objects built from the names and values the server reads.
/// </summary>
internal static class FuzzGen
{
    /// <summary>Every frame of every fixture stream, as a streamer sends them.</summary>
    public static readonly byte[][] FixtureFrames =
        [.. BraxFixtures.Scenes.SelectMany(BraxFixtures.Frames).Select(FuzzSnippets.Utf8)];

    /// <summary>Control messages a client sends or receives, good and nearly good.</summary>
    public static readonly byte[][] ControlMessages =
    [
        .. new[]
        {
            """{"type":"toggle_render","enabled":true}""",
            """{"type": "toggle_render", "enabled": false}""",
            """{"enabled":false,"type":"toggle_render"}""",
            """{"type":"set_render_state","enabled":true}""",
            """{"type":"refresh_web"}""",
            """{"type":"toggle_render","enabled":"true"}""",
            """{"type":"toggle_render","enabled":1}""",
            """{"type":"toggle_render"}""",
        }.Select(FuzzSnippets.Utf8),
    ];

    public static readonly Gen<Mutation> Mutation = Gen.Select(
        Gen.Enum<MutationKind>(), Gen.Int[0, 1_000_000], Gen.Int[0, 64], Gen.Int[0, 255], Gen.Int[0, 255],
        (kind, position, length, choice, choice2) => new Mutation(kind, position, length, choice, choice2));

    public static readonly Gen<FuzzCase> RandomBytes = Gen.Byte.Array[0, 300].Select(bytes => new FuzzCase("random bytes", bytes));

    /// <summary>Frames as a fuzzed streamer sends them: mostly mutated fixture frames.</summary>
    public static readonly Gen<FuzzCase> Frames = Gen.Frequency(
        (12, Mutated(FixtureFrames, "frame")),
        (1, Gen.Int[0, FixtureFrames.Length - 1].Select(i => new FuzzCase($"frame {i}", FixtureFrames[i]))),
        (1, RandomBytes),
        (1, RandomObject(depth: 3).Select(bytes => new FuzzCase("random object", bytes))));

    /// <summary>Control messages as a fuzzed client sends them.</summary>
    public static readonly Gen<FuzzCase> Controls = Gen.Frequency(
        (6, Mutated(ControlMessages, "control")),
        (6, RandomObject(depth: 3).Select(bytes => new FuzzCase("random object", bytes))),
        (4, ToggleLike()),
        (1, RandomBytes));

    /// <summary>One of <paramref name="seeds"/> with one to three mutations applied in turn.</summary>
    public static Gen<FuzzCase> Mutated(byte[][] seeds, string what) => Gen.Select(
        Gen.Int[0, seeds.Length - 1], Mutation.Array[1, 3],
        (index, mutations) =>
        {
            var bytes = seeds[index];
            var steps = new List<string>();
            foreach (var mutation in mutations)
            {
                bytes = mutation.Apply(bytes, out var step);
                steps.Add(step);
            }

            return new FuzzCase($"{what} {index}, {string.Join("; ", steps)}", bytes);
        });

    // Objects whose names are the ones the server reads (and a few it must not choke on), whose
    // values may themselves be such objects: {"type":{"type":"toggle_render","enabled":true}}.
    private static Gen<byte[]> RandomObject(int depth)
    {
        var names = Gen.Int[0, FuzzSnippets.Names.Length - 1].Select(i => FuzzSnippets.Names[i].Bytes);
        var member = Gen.Select(names, Value(depth), (name, value) => (byte[])[.. name, (byte)':', .. value]);
        return member.Array[0, 4].Select(members => Join("{"u8, members, "}"u8));
    }

    // A toggle's two members among random ones, in any order: near misses and duplicates.
    private static Gen<FuzzCase> ToggleLike()
    {
        var names = Gen.Int[0, FuzzSnippets.Names.Length - 1].Select(i => FuzzSnippets.Names[i].Bytes);
        var member = Gen.Select(names, Value(1), (name, value) => (byte[])[.. name, (byte)':', .. value]);
        var toggle = Gen.Bool.Select(on => new[] { FuzzSnippets.Utf8("\"type\":\"toggle_render\""), FuzzSnippets.Utf8(on ? "\"enabled\":true" : "\"enabled\":false") });
        return Gen.Select(toggle, member.Array[0, 2], Gen.Int[0, 1000], (pair, extra, seed) =>
        {
            var all = pair.Concat(extra).ToArray();
            var members = Enumerable.Range(0, all.Length).OrderBy(i => ((seed * 31) + (i * 17)) % 5).Select(i => all[i]).ToArray();
            return new FuzzCase("toggle-like object", Join("{"u8, members, "}"u8));
        });
    }

    private static Gen<byte[]> Value(int depth)
    {
        var leaves = FuzzSnippets.Values
            .Select(value => value.Bytes)
            .Concat(new[] { "\"toggle_render\"", "\"set_render_state\"", "true", "false", "\"true\"", "1", "[true]" }.Select(FuzzSnippets.Utf8))
            .ToArray();
        var leaf = Gen.Int[0, leaves.Length - 1].Select(i => leaves[i]);
        return depth == 0 ? leaf : Gen.Frequency((3, leaf), (1, RandomObject(depth - 1)));
    }

    private static byte[] Join(ReadOnlySpan<byte> open, byte[][] members, ReadOnlySpan<byte> close)
    {
        var text = new List<byte>(open.ToArray());
        for (var i = 0; i < members.Length; i++)
        {
            if (i > 0)
            {
                text.Add((byte)',');
            }

            text.AddRange(members[i]);
        }

        text.AddRange(close.ToArray());
        return [.. text];
    }
}
