using System.Net.WebSockets;
using System.Text;
using System.Text.Unicode;
using CsCheck;

namespace Brax.Viewer.Tests.Robustness;

/// <summary>
/// Streams of <see cref="WireMessage"/>s for the server-level fuzz tests: fuzzed text from
/// <see cref="FuzzGen"/>, whole or in fragments, good messages, binary messages, and messages just
/// at and over the endpoint's size limit.
/// </summary>
internal static class WireGen
{
    private static readonly Gen<int[]> NoCuts = Gen.Const(Array.Empty<int>());

    /// <summary>What a fuzzing streamer sends, with <paramref name="limit"/> as <c>Viewer:MaxFrameBytes</c>.</summary>
    public static Gen<WireMessage> Streamer(int limit)
    {
        var good = Gen.Int[0, FuzzGen.FixtureFrames.Length - 1].Select(i => new FuzzCase($"fixture frame {i}", FuzzGen.FixtureFrames[i]));
        return Gen.Frequency(
            (4, Text(good, NoCuts)),
            (6, Text(FuzzGen.Frames, NoCuts)),
            (3, Text(FuzzGen.Frames, Cuts)),
            (1, Text(good, Cuts)),
            (1, Binary(good)),
            (1, Text(Padded(good, limit, over: false), Cuts)),
            (1, Text(Padded(good, limit, over: true), Gen.Frequency((1, NoCuts), (1, Cuts)))),
            (1, Gen.Const(new WireMessage(new FuzzCase("empty", []), WebSocketMessageType.Text, []))));
    }

    /// <summary>What a fuzzing control client sends, with <paramref name="limit"/> as <c>Viewer:MaxControlMessageBytes</c>.</summary>
    public static Gen<WireMessage> Control(int limit)
    {
        var good = Gen.Int[0, FuzzGen.ControlMessages.Length - 1].Select(i => new FuzzCase($"control {i}", FuzzGen.ControlMessages[i]));
        return Gen.Frequency(
            (2, Text(good, NoCuts)),
            (6, Text(FuzzGen.Controls, NoCuts)),
            (2, Text(FuzzGen.Controls, Cuts)),
            (1, Binary(good)),
            (1, Text(Padded(good, limit, over: false), Cuts)),
            (1, Text(Padded(good, limit, over: true), Gen.Frequency((1, NoCuts), (1, Cuts)))));
    }

    // One to seven cuts anywhere, as offsets; WireMessage keeps those inside the message.
    private static readonly Gen<int[]> Cuts = Gen.Int[0, 200_000].Array[1, 7];

    // RFC 6455 §8.1 has the server fail a connection whose text is not UTF-8 (ShimFramingTests checks
    // that), so such bytes go as a binary message: bad input that leaves the connection open.
    private static Gen<WireMessage> Text(Gen<FuzzCase> cases, Gen<int[]> cuts) => Gen.Select(cases, cuts, (c, at) => Utf8.IsValid(c.Bytes)
        ? new WireMessage(c, WebSocketMessageType.Text, [.. at.Select(x => x % Math.Max(1, c.Bytes.Length))])
        : new WireMessage(c with { Description = c.Description + ", not UTF-8 so binary" }, WebSocketMessageType.Binary, []));

    private static Gen<WireMessage> Binary(Gen<FuzzCase> cases) =>
        cases.Select(c => new WireMessage(c with { Description = c.Description + " as binary" }, WebSocketMessageType.Binary, []));

    // A good message grown with an extra member to exactly the limit, or past it by up to 64 KiB.
    private static Gen<FuzzCase> Padded(Gen<FuzzCase> cases, int limit, bool over) => Gen.Select(cases, Gen.Int[1, 64 * 1024], (c, extra) =>
    {
        var target = over ? limit + extra : limit;
        var head = Encoding.ASCII.GetBytes("{\"pad\":\"");
        var tail = Encoding.ASCII.GetBytes("\",");
        var padding = Math.Max(0, target - c.Bytes.Length - head.Length - tail.Length + 1);
        var bytes = (byte[])[.. head, .. Enumerable.Repeat((byte)'a', padding), .. tail, .. c.Bytes.AsSpan(1)];
        return new FuzzCase($"{c.Description} padded to {bytes.Length} B", bytes);
    });
}
