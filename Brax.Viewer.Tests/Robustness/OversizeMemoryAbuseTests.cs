using System.Globalization;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json.Nodes;
using Brax.Viewer.LoadGen.Hosting;
using Brax.Viewer.Tests.Infrastructure;

namespace Brax.Viewer.Tests.Robustness;

/// <summary>
/// 100 streamer sockets each send one 2 MiB text message against a 1 MiB <c>Viewer:MaxFrameBytes</c>:
/// 50 as one WebSocket frame, 50 in 64 KiB fragments. The server (its own process) must read such
/// messages through without holding them: while all 100 are past the limit and held there, and
/// after they end, its resident memory stays within <see cref="Ceiling"/> of what it was with the
/// same 100 sockets connected and idle, and every socket still streams.
/// </summary>
/// <remarks>
/// The ceiling: a server that buffers up to the limit holds a 2 MiB pooled array (the size class of
/// 1 MiB + 1) for each socket: measured +184 to +189 MiB held and +213 to +218 MiB after, before messages over
/// the limit were drained. One that drains keeps a 4 KiB receive chunk per socket, plus what the
/// shared array pool and Kestrel's block pool retain of the fragmented messages read up to the
/// limit, and Kestrel's read-ahead: measured +92 to +94 MiB held with the drain. 128 MiB is two
/// thirds of the buffered figure: a return to buffering fails, the drain passes with room.
/// </remarks>
[Collection(MeasuringGroup.Name)]
public sealed class OversizeMemoryAbuseTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const int Limit = 1024 * 1024;
    private const int MessageBytes = 2 * 1024 * 1024;
    private const int HeldBytes = (3 * MessageBytes) / 4;
    private const int Sockets = 100;
    private const int Fragment = 64 * 1024;
    private const long Ceiling = 128L * 1024 * 1024;

    [Fact]
    public async Task Oversize_messages_on_100_streamer_sockets_are_read_through_without_being_held()
    {
        await using var server = await ServerProcess.StartAsync(
            ["--urls", "http://127.0.0.1:0", $"--Viewer:MaxFrameBytes={Limit.ToString(CultureInfo.InvariantCulture)}", "--Viewer:MaxQueuedFramesPerViewer=4096"],
            ServerMemory.Environment);
        using var http = new HttpClient();
        await using var viewer = await RawClient.ConnectAsync(server.WebSocket("ws/frame"));
        var whole = new List<StalledWebSocket>();
        var fragmented = new List<ClientWebSocket>();
        try
        {
            for (var i = 0; i < Sockets / 2; i++)
            {
                whole.Add(await StalledWebSocket.ConnectAsync(server.WebSocket("ws/frame?is_streamer=true")));
                var socket = new ClientWebSocket();
                await socket.ConnectAsync(server.WebSocket("ws/frame?is_streamer=true"), CancellationToken.None);
                fragmented.Add(socket);
            }

            await Eventually.HoldsAsync(async () => (await Diagnostics(http, server))["streamers"]!.GetValue<long>() == Sockets, "every streamer is connected");
            await EverySocketStreamsAsync(whole, fragmented, viewer, round: 0);
            var baseline = await ServerMemory.SettledResidentBytesAsync(server, http);

            // Every socket goes three quarters into its message, past the limit, and stops there.
            var message = Oversize();
            var frame = WireFrame.Build(0x81, message);
            // One socket after the other, so Kestrel's read-ahead (up to 1 MiB a connection) does not pile up.
            foreach (var socket in whole)
            {
                await socket.Socket.SendAsync(frame.AsMemory(0, frame.Length - (MessageBytes - HeldBytes)));
            }

            foreach (var socket in fragmented)
            {
                for (var sent = 0; sent < HeldBytes; sent += Fragment)
                {
                    await socket.SendAsync(message.AsMemory(sent, Fragment), WebSocketMessageType.Text, endOfMessage: false, CancellationToken.None);
                }
            }

            var held = await ServerMemory.SettledResidentBytesAsync(server, http) - baseline;

            // Then every message ends, and every socket streams a good frame again.
            foreach (var socket in whole)
            {
                await socket.Socket.SendAsync(frame.AsMemory(frame.Length - (MessageBytes - HeldBytes)));
            }

            foreach (var socket in fragmented)
            {
                await socket.SendAsync(message.AsMemory(HeldBytes), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
            }

            await EverySocketStreamsAsync(whole, fragmented, viewer, round: 1);
            var after = await ServerMemory.SettledResidentBytesAsync(server, http) - baseline;

            output.WriteLine($"server RSS with {Sockets} idle streamers {ServerMemory.MiB(baseline)}; with {Sockets} messages held past the limit +{ServerMemory.MiB(held)}; after they ended +{ServerMemory.MiB(after)}; ceiling {ServerMemory.MiB(Ceiling)}");
            held.Should().BeLessThan(Ceiling, $"{Sockets} messages held past the {Limit}-byte limit are not buffered");
            after.Should().BeLessThan(Ceiling, "nothing of the oversize messages is kept once they end");
        }
        finally
        {
            whole.ForEach(socket => socket.Dispose());
            fragmented.ForEach(socket => socket.Dispose());
        }
    }

    // A valid frame grown past the limit, so only its size makes it bad input.
    private static byte[] Oversize()
    {
        var head = """{"x":{"pos":[],"rot":[]},"pad":" """u8.ToArray();
        var message = new byte[MessageBytes];
        head.CopyTo(message, 0);
        message.AsSpan(head.Length, MessageBytes - head.Length - 2).Fill((byte)'a');
        "\"}"u8.CopyTo(message.AsSpan(MessageBytes - 2));
        return message;
    }

    private static async Task EverySocketStreamsAsync(List<StalledWebSocket> whole, List<ClientWebSocket> fragmented, RawClient viewer, int round)
    {
        var sent = new HashSet<string>();
        for (var i = 0; i < whole.Count; i++)
        {
            var text = $$"""{"x":{"pos":[],"rot":[]},"round":{{round}},"socket":"w{{i}}"}""";
            await whole[i].SendTextAsync(text);
            sent.Add(text);
        }

        for (var i = 0; i < fragmented.Count; i++)
        {
            var text = $$"""{"x":{"pos":[],"rot":[]},"round":{{round}},"socket":"f{{i}}"}""";
            await fragmented[i].SendAsync(FuzzSnippets.Utf8(text), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
            sent.Add(text);
        }

        var received = new HashSet<string>();
        while (received.Count < sent.Count)
        {
            received.Add(await viewer.ReceiveAsync(TimeSpan.FromSeconds(30)));
        }

        received.Should().BeEquivalentTo(sent, "every streamer's frame arrives, so every socket is open and read");
    }

    private static async Task<JsonObject> Diagnostics(HttpClient http, ServerProcess server) =>
        (await http.GetFromJsonAsync<JsonObject>(server.Http("api/diagnostics")))!;
}
