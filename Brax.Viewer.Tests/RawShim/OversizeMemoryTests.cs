using System.Buffers.Binary;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Brax.Viewer.LoadGen.Hosting;
using Brax.Viewer.Tests.Infrastructure;

namespace Brax.Viewer.Tests.RawShim;

/// <summary>
/// Streamers that send messages over <c>Viewer:MaxFrameBytes</c> cost the server about nothing when
/// the frame header announces the size (one frame), and at most the limit each when it is only learnt
/// fragment by fragment; a viewer on the same run keeps getting frames meanwhile. The server runs as
/// its own process, so its resident memory is its own. Every attacker ends its bytes with a ping: its
/// pong says the server has read everything before it, so the measurement waits on a condition.
/// </summary>
[Collection(MeasuringGroup.Name)]
public sealed class OversizeMemoryTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const long MiB = 1024 * 1024;
    private const int Limit = 4 * 1024 * 1024;
    private const int Attackers = 20;
    private const int MessageBytes = 2 * Limit;
    private const int FragmentBytes = 64 * 1024;

    // What Kestrel itself may hold for a connection whose client sends faster than it is read: its
    // socket transport reads up to 1 MiB ahead (SocketTransportOptions.MaxReadBufferSize).
    private const long KestrelReadAhead = Attackers * MiB;

    // Zeros are text as far as the server cares: it never looks inside a message it refuses.
    private static readonly byte[] Payload = new byte[MessageBytes];

    [Fact]
    public async Task Unfragmented_messages_over_the_limit_are_drained_without_being_buffered()
    {
        await using var setup = await AbuseSetup.StartAsync();

        var growth = await setup.MeasureAsync(async attacker =>
        {
            await SendFrameAsync(attacker, 0x81, Payload);
            await PingAsync(attacker);
        });

        // Announced by their headers, nothing of them is kept: what grows is Kestrel's read-ahead.
        // Buffering each up to the limit, as the server did before, took 80 MiB and more.
        output.WriteLine($"{Attackers} x {MessageBytes / MiB} MiB unfragmented over a {Limit / MiB} MiB limit: server RSS +{growth / (double)MiB:F1} MiB");
        growth.Should().BeLessThan(KestrelReadAhead + (16 * MiB));
    }

    [Fact]
    public async Task Fragmented_messages_over_the_limit_hold_at_most_the_limit_each()
    {
        await using var setup = await AbuseSetup.StartAsync();

        // Every attacker stops in the middle of its message, past the limit, so all of them are held at once.
        var growth = await setup.MeasureAsync(async attacker =>
        {
            for (var sent = 0; sent < MessageBytes; sent += FragmentBytes)
            {
                await SendFrameAsync(attacker, sent == 0 ? (byte)0x01 : (byte)0x00, Payload.AsMemory(sent, FragmentBytes));
            }

            await PingAsync(attacker);
        });
        foreach (var attacker in setup.Attackers)
        {
            await SendFrameAsync(attacker, 0x80, ReadOnlyMemory<byte>.Empty);
        }

        await setup.RefusedAsync();

        // Only learnt fragment by fragment: up to the limit of each is read into memory (20 x 4 MiB)
        // before it is known to be too large. Growing one buffer by copies, as the server did before,
        // or buffering the messages whole, 8 MiB each, passes the ceiling.
        output.WriteLine($"{Attackers} x {MessageBytes / MiB} MiB in {FragmentBytes / 1024} KiB fragments over a {Limit / MiB} MiB limit: server RSS +{growth / (double)MiB:F1} MiB");
        growth.Should().BeLessThan((Attackers * (long)Limit) + KestrelReadAhead + (24 * MiB));
    }

    /// <summary>Writes one masked client frame (a zero mask, so the payload goes as it is).</summary>
    private static async Task SendFrameAsync(StalledWebSocket attacker, byte firstByte, ReadOnlyMemory<byte> payload)
    {
        var header = new byte[14];
        header[0] = firstByte;
        int length;
        if (payload.Length < 126)
        {
            header[1] = (byte)(0x80 | payload.Length);
            length = 2;
        }
        else
        {
            header[1] = 0x80 | 127;
            BinaryPrimitives.WriteUInt64BigEndian(header.AsSpan(2), (ulong)payload.Length);
            length = 10;
        }

        await attacker.Socket.SendAsync(header.AsMemory(0, length + 4));
        await attacker.Socket.SendAsync(payload);
    }

    /// <summary>Pings and waits for the pong, which comes once the server has read everything sent before it.</summary>
    private static async Task PingAsync(StalledWebSocket attacker)
    {
        await SendFrameAsync(attacker, 0x89, new byte[] { 1, 2, 3 });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while ((await attacker.ReadFrameAsync(timeout.Token)).Opcode != 0xA)
        {
        }
    }

    /// <summary>A server process with a viewer, a well-behaved streamer and the attackers, all on one run.</summary>
    private sealed class AbuseSetup : IAsyncDisposable
    {
        private readonly HttpClient _http = new();
        private ServerProcess _server = null!;
        private RawClient _viewer = null!;
        private RawClient _streamer = null!;
        private int _relayed;

        public List<StalledWebSocket> Attackers { get; } = [];

        public static async Task<AbuseSetup> StartAsync()
        {
            var setup = new AbuseSetup();
            setup._server = await ServerProcess.StartAsync(["--urls", "http://127.0.0.1:0", $"--Viewer:MaxFrameBytes={Limit}", "--Logging:LogLevel:Brax=Error"]);
            setup._viewer = await RawClient.ConnectAsync(setup._server.WebSocket("ws/frame?run=abuse"));
            setup._streamer = await RawClient.ConnectAsync(setup._server.WebSocket("ws/frame?run=abuse&is_streamer=true"));
            for (var i = 0; i < OversizeMemoryTests.Attackers + 1; i++)
            {
                setup.Attackers.Add(await StalledWebSocket.ConnectAsync(setup._server.WebSocket("ws/frame?run=abuse&is_streamer=true")));
            }

            await Eventually.HoldsAsync(() => setup.Count("frame_viewers") == 1 && setup.Count("streamers") == OversizeMemoryTests.Attackers + 2, "everyone is connected");

            // Warm up the receive path (JIT, pools) with one oversized message from a spare attacker.
            var spare = setup.Attackers[^1];
            setup.Attackers.Remove(spare);
            await SendFrameAsync(spare, 0x81, Payload);
            await PingAsync(spare);
            await setup.RelayAsync(20);
            spare.Dispose();
            return setup;
        }

        /// <summary>Runs <paramref name="attack"/> from every attacker at once; the server's resident memory it added.</summary>
        public async Task<long> MeasureAsync(Func<StalledWebSocket, Task> attack)
        {
            await Eventually.HoldsAsync(() => Count("streamers") == OversizeMemoryTests.Attackers + 1, "the spare attacker has gone");
            var baseline = _server.ResidentBytes();
            var attacking = Task.WhenAll(Attackers.Select(attacker => Task.Run(() => attack(attacker))));
            while (!attacking.IsCompleted)
            {
                await RelayAsync(5);
            }

            await attacking;
            var growth = _server.ResidentBytes() - baseline;
            await RelayAsync(5);
            return growth;
        }

        /// <summary>Waits until every attacker's message has been refused.</summary>
        public Task RefusedAsync() =>
            Eventually.HoldsAsync(() => Refused() == OversizeMemoryTests.Attackers + 1, "every oversized message was read through and refused", TimeSpan.FromSeconds(30));

        public async ValueTask DisposeAsync()
        {
            await RefusedAsync();
            foreach (var attacker in Attackers)
            {
                attacker.Dispose();
            }

            await _streamer.DisposeAsync();
            await _viewer.DisposeAsync();
            await _server.DisposeAsync();
            _http.Dispose();
        }

        /// <summary>Sends <paramref name="count"/> numbered frames and waits until the viewer has each, in order.</summary>
        private async Task RelayAsync(int count)
        {
            var first = _relayed;
            _relayed += count;
            for (var seq = first; seq < _relayed; seq++)
            {
                await _streamer.SendAsync($$$"""{"seq":{{{seq}}},"x":{"pos":[[0,0,{{{seq}}}]],"rot":[[1,0,0,0]]}}""");
            }

            for (var seq = first; seq < _relayed; seq++)
            {
                (await _viewer.ReceiveAsync(TimeSpan.FromSeconds(30))).Should().StartWith($$"""{"seq":{{seq}},""", "the viewer keeps getting every good frame while the oversized messages are read through");
            }
        }

        private long Refused() => Diagnostics()["refused"]!["message_too_large"]!.GetValue<long>();

        private long Count(string name) => Diagnostics()[name]!.GetValue<long>();

        private JsonObject Diagnostics() => _http.GetFromJsonAsync<JsonObject>(_server.Http("api/diagnostics")).GetAwaiter().GetResult()!;
    }
}
