using System.Buffers;
using System.Text;
using System.Text.Json;
using Brax.Viewer.Client;
using Brax.Viewer.Hubs.Diagnostics;
using Brax.Viewer.Hubs.Protocols;
using Brax.Viewer.Tests.Infrastructure;
using CsCheck;
using MessagePack;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Logging.Abstractions;

namespace Brax.Viewer.Tests.Robustness;

/// <summary>
/// <c>Frame.TryWrap</c>, the one gate of every raw frame, over fixture frames changed in every way a
/// broken streamer might (see <see cref="FuzzSnippets"/>), random bytes and random objects. What
/// it refuses it refuses with a reason and without throwing; what it accepts is valid JSON
/// (<see cref="StrictJson"/>) that reaches raw viewers byte for byte, JSON SignalR viewers as the
/// same text, and MessagePack SignalR viewers as a map that parses back to the same frame.
/// A failure prints the smallest case found and the seed: set <c>CsCheck_Seed</c> to it to replay.
/// </summary>
public sealed class FrameParsingPropertyTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly RawFrameProtocol RawProtocol = new(new BadInputLog(NullLogger<BadInputLog>.Instance, TimeProvider.System, DetachedMetrics.Create()));
    private static readonly JsonHubProtocol JsonProtocol = new();
    private static readonly MessagePackHubProtocol MessagePackProtocol = new();

    [Fact]
    public void Every_fixture_frame_is_accepted_and_relayed_unchanged_in_every_protocol()
    {
        FuzzGen.FixtureFrames.Should().HaveCountGreaterThan(400);
        foreach (var bytes in FuzzGen.FixtureFrames)
        {
            CheckFrame(new FuzzCase("fixture", bytes)).Should().BeTrue(FuzzCase.Preview(bytes, 200));
        }
    }

    [Fact]
    public void Fuzzed_frames_are_refused_with_a_reason_or_accepted_as_valid_JSON_that_every_protocol_relays()
    {
        long accepted = 0, total = 0;
        FuzzGen.Frames.Sample(
            frame =>
            {
                Interlocked.Increment(ref total);
                if (CheckFrame(frame))
                {
                    Interlocked.Increment(ref accepted);
                }
            },
            writeLine: output.WriteLine,
            iter: 20_000,
            print: frame => frame.ToString());

        output.WriteLine($"{accepted} of {total} fuzzed frames accepted");
        accepted.Should().BeGreaterThan(total / 20, "enough fuzzed frames are accepted for the relaying properties to be tested");
    }

    [Theory]
    [MemberData(nameof(FirstFrames))]
    public void A_frame_cut_at_any_byte_is_refused_without_throwing(string scene)
    {
        var frame = FuzzSnippets.Utf8(BraxFixtures.Frames(scene)[0]);
        var end = frame.AsSpan().TrimEnd(" \t\r\n"u8).Length;
        for (var cut = 0; cut < end; cut++)
        {
            CheckFrame(new FuzzCase($"{scene} cut at {cut}", frame[..cut])).Should().BeFalse($"a frame cut at byte {cut} of {end} is incomplete");
        }
    }

    [Theory]
    [MemberData(nameof(HostileFrames))]
    public void Hostile_frames_are_refused_with_a_reason(string name, string frame)
    {
        var bytes = Encoding.Latin1.GetBytes(frame);
        CheckFrame(new FuzzCase(name, bytes)).Should().BeFalse(name + " is not a frame");
    }

    [Theory]
    [InlineData(61, true)]
    [InlineData(62, true)]
    [InlineData(63, false)]
    [InlineData(64, false)]
    public void Frames_nest_at_most_62_levels_so_a_JSON_SignalR_envelope_around_one_stays_within_64(int levels, bool accepted)
    {
        var arrays = levels - 1;
        var frame = "{\"q\":" + new string('[', arrays) + new string(']', arrays) + ",\"x\":{\"pos\":[],\"rot\":[]}}";
        CheckFrame(new FuzzCase($"{levels} levels", FuzzSnippets.Utf8(frame))).Should().Be(accepted);
    }

    public static TheoryData<string> FirstFrames() => new(BraxFixtures.Scenes);

    // Latin-1 strings, so \xNN stands for the byte NN on the wire.
    public static TheoryData<string, string> HostileFrames() => new()
    {
        { "10,000 [", """{"x":{"pos":""" + new string('[', 10_000) },
        { "10,000 [ closed", """{"q":""" + new string('[', 10_000) + new string(']', 10_000) + ""","x":{"pos":[],"rot":[]}}""" },
        { "NUL after the frame", "{\"x\":{\"pos\":[],\"rot\":[]}}\0" },
        { "0x1E after the frame", "{\"x\":{\"pos\":[],\"rot\":[]}}\x1e" },
        { "0x1E inside a string", "{\"q\":\"a\u001eb\",\"x\":{\"pos\":[],\"rot\":[]}}" },
        { "invalid UTF-8 in a string", "{\"q\":\"\xff\",\"x\":{\"pos\":[],\"rot\":[]}}" },
        { "raw lone surrogate", "{\"q\":\"\xed\xa0\x80\",\"x\":{\"pos\":[],\"rot\":[]}}" },
        { "escaped lone surrogate", """{"q":"\ud800","x":{"pos":[],"rot":[]}}""" },
        { "escaped lone surrogate in a name", """{"\ud800":1,"x":{"pos":[],"rot":[]}}""" },
        { "duplicated x", """{"x":{"pos":[],"rot":[]},"x":{"pos":[],"rot":[]}}""" },
        { "trailing garbage", """{"x":{"pos":[],"rot":[]}}garbage""" },
        { "a second value", """{"x":{"pos":[],"rot":[]}} {}""" },
        { "NaN", """{"x":{"pos":[[NaN,0,0]],"rot":[[1,0,0,0]]}}""" },
    };

    /// <summary>Checks every property for one input; true when the frame was accepted.</summary>
    private static bool CheckFrame(FuzzCase input)
    {
        // TryWrap owns its array: hand it a copy so the original stays to compare with.
        var bytes = (byte[])input.Bytes.Clone();
        bool valid;
        Frame? frame;
        string? error;
        try
        {
            valid = Frame.TryWrap(bytes, out frame, out error);
        }
        catch (Exception ex)
        {
            throw new InvalidOperationException($"Frame.TryWrap threw instead of refusing: {ex.GetType().Name}: {ex.Message}", ex);
        }

        if (!valid)
        {
            if (string.IsNullOrWhiteSpace(error))
            {
                throw new InvalidOperationException("refused without a reason");
            }

            return false;
        }

        if (!StrictJson.TryParse(input.Bytes, out var document, out var why))
        {
            throw new InvalidOperationException($"accepted, but {why}");
        }

        using (document)
        {
            CheckRaw(frame!, input.Bytes);
            CheckJsonHubProtocol(frame!, input.Bytes);
            CheckMessagePackHubProtocol(frame!, document.RootElement);
        }

        return true;
    }

    // Raw viewers get the frame's own bytes.
    private static void CheckRaw(Frame frame, byte[] sent)
    {
        var message = new InvocationMessage(FrameHubContract.ReceiveFrame, [frame]);
        if (!RawProtocol.GetMessageBytes(message).Span.SequenceEqual(sent))
        {
            throw new InvalidOperationException("a raw viewer would not get the bytes sent");
        }
    }

    // A JSON SignalR viewer gets the text inside the envelope and reads it back as the same frame.
    private static void CheckJsonHubProtocol(Frame frame, byte[] sent)
    {
        var written = new ArrayBufferWriter<byte>();
        JsonProtocol.WriteMessage(new InvocationMessage(FrameHubContract.ReceiveFrame, [frame]), written);
        var input = new ReadOnlySequence<byte>(written.WrittenMemory);
        if (!JsonProtocol.TryParseMessage(ref input, new FrameBinder(), out var parsed) || parsed is not InvocationMessage { Arguments: [Frame received] })
        {
            throw new InvalidOperationException("a JSON SignalR viewer could not read the frame: " + (parsed as InvocationBindingFailureMessage)?.BindingFailure.SourceException.Message);
        }

        if (!received.Utf8Json.Span.SequenceEqual(sent.AsSpan().Trim(" \t\r\n"u8)))
        {
            throw new InvalidOperationException("a JSON SignalR viewer would not get the text sent");
        }
    }

    // A MessagePack SignalR viewer gets a map that reads back as a frame equal in value.
    private static void CheckMessagePackHubProtocol(Frame frame, JsonElement sent)
    {
        var written = new ArrayBufferWriter<byte>();
        try
        {
            MessagePackProtocol.WriteMessage(new InvocationMessage(FrameHubContract.ReceiveFrame, [frame]), written);
        }
        catch (Exception ex)
        {
            throw new InvalidOperationException($"an accepted frame has no MessagePack form: {ex.GetType().Name}: {ex.InnerException?.Message ?? ex.Message}", ex);
        }

        var input = new ReadOnlySequence<byte>(written.WrittenMemory);
        if (!MessagePackProtocol.TryParseMessage(ref input, new FrameBinder(), out var parsed) || parsed is not InvocationMessage { Arguments: [Frame received] })
        {
            throw new InvalidOperationException("a MessagePack SignalR viewer could not read the frame: " + (parsed as InvocationBindingFailureMessage)?.BindingFailure.SourceException.Message);
        }

        using var back = JsonDocument.Parse(received.Utf8Json);
        if (!StrictJson.Equivalent(sent, back.RootElement))
        {
            throw new InvalidOperationException("the MessagePack form reads back as a different frame: " + received);
        }

        // The transcoding itself, as MessagePack, is one well-formed value.
        var reader = new MessagePackReader(frame.MessagePack.ToArray());
        reader.Skip();
        if (!reader.End)
        {
            throw new InvalidOperationException("the MessagePack form has bytes after its value");
        }
    }
}
