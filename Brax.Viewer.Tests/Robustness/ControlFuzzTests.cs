using System.Globalization;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json.Nodes;
using Brax.Viewer.Hubs.Diagnostics;
using Brax.Viewer.Tests.Infrastructure;
using CsCheck;
using Microsoft.Extensions.Logging;

namespace Brax.Viewer.Tests.Robustness;

/// <summary>
/// A raw control client sends rounds of fuzzed control messages (mutated toggles, random objects,
/// fragments, binary, messages at and over <c>Viewer:MaxControlMessageBytes</c>) on a real server,
/// while a raw and a SignalR control client listen. Every control client hears exactly the
/// toggles among them (<see cref="ControlRule"/>), in order; after each round a well-behaved
/// client's toggle reaches everyone and is the stored state; the fuzzing client stays connected
/// and nothing is logged as an error. A failure prints the seed: set <c>CsCheck_Seed</c> to replay.
/// </summary>
public sealed class ControlFuzzTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const int MaxControlMessageBytes = 4096;
    private const int Rounds = 8;
    private const int MessagesPerRound = 30;

    [Fact]
    public async Task Control_clients_hear_exactly_the_toggles_of_a_fuzzed_stream_and_a_good_toggle_always_lands() =>
        await Gen.Select(WireGen.Control(MaxControlMessageBytes).Array[MessagesPerRound].Array[Rounds], Gen.Bool.Array[Rounds], (rounds, toggles) => (rounds, toggles)).SampleAsync(
            RunAsync,
            writeLine: output.WriteLine,
            iter: 3,
            threads: 1,
            print: input => string.Join('\n', input.Item1.SelectMany((round, r) => round.Select((m, i) => $"{r}.{i}: {m}"[..Math.Min(200, $"{r}.{i}: {m}".Length)]))));

    private async Task RunAsync(WireMessage[][] rounds, bool[] toggles)
    {
        var logs = new CapturingLoggerProvider();
        await using var server = await ViewerTestServer.StartAsync(
            new Dictionary<string, string?>
            {
                ["Viewer:MaxControlMessageBytes"] = MaxControlMessageBytes.ToString(CultureInfo.InvariantCulture),

                // Every fuzzed toggle must be heard: the toggle rate limit has tests of its own.
                ["Viewer:MaxControlMessagesPerSecond"] = "0",
            },
            builder => builder.Logging.AddProvider(logs));
        using var http = new HttpClient();
        await using var fuzzer = await RawClient.ConnectAsync(server.WebSocket("ws/control"));
        await using var good = await RawClient.ConnectAsync(server.WebSocket("ws/control"));
        await using var signalR = await SignalRClient.ConnectAsync(server, "hubs/control", HubProtocolKind.Json);
        await server.ControlClientsConnectedAsync(3);
        foreach (var raw in new[] { fuzzer, good })
        {
            (await raw.ReceiveAsync()).Should().Be(State(true), "a control client is greeted with the state");
        }

        (await signalR.NextRenderStateAsync()).Should().BeTrue();

        for (var r = 0; r < rounds.Length; r++)
        {
            var expected = new List<bool>();
            foreach (var message in rounds[r])
            {
                await message.SendAsync(fuzzer.Socket);
                if (Toggle(message) is { } enabled)
                {
                    expected.Add(enabled);
                }
            }

            // The fuzzer's own last word closes the round: everything before it has been handled.
            var closing = expected.Count > 0 && expected[^1];
            await fuzzer.SendAsync($$"""{"type":"toggle_render","enabled":{{(closing ? "false" : "true")}}}""");
            expected.Add(!closing);
            var because = $"round {r}: the fuzzer's toggles were [{string.Join(',', expected)}]; fuzzer {fuzzer.Socket.State} {fuzzer.CloseStatus}";
            foreach (var raw in new[] { fuzzer, good })
            {
                foreach (var enabled in expected)
                {
                    (await raw.ReceiveAsync()).Should().Be(State(enabled), because);
                }
            }

            foreach (var enabled in expected)
            {
                (await signalR.NextRenderStateAsync()).Should().Be(enabled, because);
            }

            // Then a well-behaved client's toggle reaches everyone and is what the server stores.
            await good.SendAsync($$"""{"type":"toggle_render","enabled":{{(toggles[r] ? "true" : "false")}}}""");
            (await good.ReceiveAsync()).Should().Be(State(toggles[r]), because);
            (await fuzzer.ReceiveAsync()).Should().Be(State(toggles[r]), because);
            (await signalR.NextRenderStateAsync()).Should().Be(toggles[r], because);
            var stored = await http.GetFromJsonAsync<JsonObject>(server.Http("api/rendering_status"));
            stored!["rendering_enabled"]!.GetValue<bool>().Should().Be(toggles[r], because);
        }

        await good.ExpectNothingAsync(TimeSpan.FromMilliseconds(200));
        fuzzer.Socket.State.Should().Be(WebSocketState.Open, "bad control input is ignored and the client stays connected");
        server.GetRequiredService<HubDiagnostics>().ControlClients.Should().Be(3);
        logs.Entries.Where(e => e.Level >= LogLevel.Error).Should().BeEmpty("fuzzed input is the client's mistake, never a server error");
        output.WriteLine($"{rounds.Sum(round => round.Length)} messages sent, {rounds.Sum(round => round.Count(m => Toggle(m) is not null))} of them toggles");
    }

    private static string State(bool enabled) => $$"""{"type":"set_render_state","enabled":{{(enabled ? "true" : "false")}}}""";

    // The shim passes a text message within the limit and without 0x1E to the protocol; the rule decides.
    private static bool? Toggle(WireMessage message) =>
        message.Type == WebSocketMessageType.Text && message.Bytes.Length <= MaxControlMessageBytes && !message.Bytes.Contains((byte)0x1E)
            ? ControlRule.Toggle(message.Bytes)
            : null;
}
