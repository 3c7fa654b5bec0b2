using System.Globalization;
using System.Net.WebSockets;
using System.Text.Json;
using Brax.Viewer.Client;
using Brax.Viewer.Hubs.Diagnostics;
using Brax.Viewer.Tests.Infrastructure;
using CsCheck;
using Microsoft.Extensions.Logging;

namespace Brax.Viewer.Tests.Robustness;

/// <summary>
/// A raw streamer sends a stream of fuzzed messages (mutated fixture frames whole and in
/// fragments, binary messages, messages at and over <c>Viewer:MaxFrameBytes</c>) with good frames
/// among them, on a real server. The documented rules hold: every message that is a frame (text,
/// within the limit, accepted by <c>Frame.TryParse</c>, whose own properties the parsing tests
/// check) reaches a raw viewer and a JSON SignalR viewer byte for byte and a MessagePack SignalR
/// viewer equal in value, in order, and nothing else does; the streamer stays connected; nothing
/// is logged as an error. A failure prints the seed: set <c>CsCheck_Seed</c> to it to replay.
/// </summary>
public sealed class StreamerFuzzTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const int MaxFrameBytes = 64 * 1024;
    private const int MessagesPerRun = 250;

    [Fact]
    public async Task Viewers_get_exactly_the_valid_frames_of_a_fuzzed_stream_in_order_and_the_streamer_stays_connected() =>
        await WireGen.Streamer(MaxFrameBytes).Array[MessagesPerRun].SampleAsync(
            RunAsync,
            writeLine: output.WriteLine,
            iter: 4,
            threads: 1,
            print: messages => string.Join('\n', messages.Select((m, i) => $"{i}: {m}"[..Math.Min(200, $"{i}: {m}".Length)])));

    private async Task RunAsync(WireMessage[] messages)
    {
        var logs = new CapturingLoggerProvider();
        await using var server = await ViewerTestServer.StartAsync(
            new Dictionary<string, string?>
            {
                ["Viewer:MaxFrameBytes"] = MaxFrameBytes.ToString(CultureInfo.InvariantCulture),

                // Every viewer keeps up here; a deep backlog keeps the skip policy out of the comparison.
                ["Viewer:MaxQueuedFramesPerViewer"] = "4096",
                ["Viewer:MaxQueuedBytesPerViewer"] = "268435456",
            },
            builder => builder.Logging.AddProvider(logs));
        var diagnostics = server.GetRequiredService<HubDiagnostics>();
        await using var raw = await RawClient.ConnectAsync(server.WebSocket("ws/frame"));
        await using var json = await SignalRClient.ConnectAsync(server, "hubs/frame", HubProtocolKind.Json);
        await using var messagePack = await SignalRClient.ConnectAsync(server, "hubs/frame", HubProtocolKind.MessagePack);
        await using var streamer = await RawClient.ConnectAsync(server.WebSocket("ws/frame?is_streamer=true"));
        await server.ViewersJoinedAsync(3);

        var frameIndexes = Enumerable.Range(0, messages.Length).Where(i => IsFrame(messages[i])).ToList();
        var expected = frameIndexes.Select(i => messages[i].Bytes).ToList();
        var sentinel = FuzzSnippets.Utf8("""{"x":{"pos":[],"rot":[]},"sentinel":true}""");
        expected.Add(sentinel);
        foreach (var message in messages)
        {
            await message.SendAsync(streamer.Socket);
        }

        await streamer.SendAsync(sentinel);

        var rawFrames = await ReceiveAsync(expected.Count, timeout => raw.ReceiveBytesAsync(timeout));
        var jsonFrames = await ReceiveAsync(expected.Count, async timeout => (await json.NextFrameAsync(timeout)).Utf8Json.ToArray());
        var messagePackFrames = await ReceiveAsync(expected.Count, async timeout => (await messagePack.NextFrameAsync(timeout)).Utf8Json.ToArray());
        var state = $"valid frames are messages {string.Join(',', frameIndexes)}; streamer {streamer.Socket.State} {streamer.CloseStatus}, raw viewer {raw.Socket.State} {raw.CloseStatus}, JSON viewer {json.Connection.State}, MessagePack viewer {messagePack.Connection.State}; errors logged: {string.Join(" | ", logs.Entries.Where(e => e.Level >= LogLevel.Error).Select(e => e.Message))}";
        if (rawFrames.Count < expected.Count)
        {
            // The messages between the last frame the raw viewer got and the one it missed.
            var from = rawFrames.Count == 0 ? 0 : frameIndexes[rawFrames.Count - 1] + 1;
            var to = rawFrames.Count < frameIndexes.Count ? frameIndexes[rawFrames.Count] : messages.Length;
            state += "; sent after the last frame received: " + string.Join(" || ", Enumerable.Range(from, to - from).Take(10).Select(i => $"{i}: {messages[i]}"[..Math.Min(400, $"{i}: {messages[i]}".Length)]));
        }

        Compare("the raw viewer", rawFrames, expected, (got, want) => got.AsSpan().SequenceEqual(want), state);
        Compare("the JSON SignalR viewer", jsonFrames, expected, (got, want) => got.AsSpan().SequenceEqual(want.AsSpan().Trim(" \t\r\n"u8)), state);
        Compare("the MessagePack SignalR viewer", messagePackFrames, expected, SameValue, state);

        await raw.ExpectNothingAsync(TimeSpan.FromMilliseconds(200));
        json.TryTakeFrame(out var extra).Should().BeFalse("no other frame reaches a viewer, got {0}", extra);
        streamer.Socket.State.Should().Be(WebSocketState.Open, "bad input is ignored and the streamer stays connected");
        diagnostics.Streamers.Should().Be(1);
        diagnostics.ViewerMemberships.Should().Be(3, "every viewer is still connected");
        logs.Entries.Where(e => e.Level >= LogLevel.Error).Should().BeEmpty("fuzzed input is the client's mistake, never a server error");
        output.WriteLine($"{messages.Length} messages sent, {expected.Count - 1} of them frames");
    }

    // What a viewer receives, up to count messages or until one has not come for the timeout.
    private static async Task<List<byte[]>> ReceiveAsync(int count, Func<TimeSpan, Task<byte[]>> next)
    {
        var received = new List<byte[]>();
        try
        {
            while (received.Count < count)
            {
                received.Add(await next(TimeSpan.FromSeconds(10)));
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
        {
            // Compared below: the message says which frame is missing.
        }

        return received;
    }

    private static void Compare(string viewer, List<byte[]> received, List<byte[]> expected, Func<byte[], byte[], bool> same, string state)
    {
        for (var i = 0; i < expected.Count; i++)
        {
            if (i >= received.Count)
            {
                throw new InvalidOperationException($"{viewer} got {received.Count} of {expected.Count} frames; the next was {FuzzCase.Preview(expected[i], 160)}; {state}");
            }

            if (!same(received[i], expected[i]))
            {
                throw new InvalidOperationException($"{viewer}'s frame {i} is {FuzzCase.Preview(received[i], 160)}, expected {FuzzCase.Preview(expected[i], 160)}; {state}");
            }
        }
    }

    private static bool SameValue(byte[] received, byte[] sent)
    {
        using var a = JsonDocument.Parse(sent);
        using var b = JsonDocument.Parse(received);
        return StrictJson.Equivalent(a.RootElement, b.RootElement);
    }

    // The gate's verdict; a gate that throws (the parsing tests report that) has accepted nothing.
    private static bool IsFrame(WireMessage message)
    {
        try
        {
            return message.Type == WebSocketMessageType.Text && message.Bytes.Length <= MaxFrameBytes && Frame.TryParse(message.Bytes, out _, out _);
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
