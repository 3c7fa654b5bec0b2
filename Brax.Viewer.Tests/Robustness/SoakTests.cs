using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using Brax.Viewer.LoadGen.Hosting;
using Brax.Viewer.Client;
using Brax.Viewer.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Brax.Viewer.Tests.Robustness;

/// <summary>
/// Five minutes of a server (its own process) under the traffic of a bad day: two streamers at
/// 30 fps (small frames on one run, 60 KB frames on another, with an oversize message every two
/// seconds), steady raw and SignalR viewers, readers that stall, and 10,000 connect/abrupt-
/// disconnect cycles (raw viewers, raw streamers cut off mid-frame, SignalR connections, control
/// clients). At the end every registration is gone (<c>/api/diagnostics</c> all zero), resident
/// memory is back within 10% of where it started, the steady viewers got their frames in order,
/// and the server logged no error. Not part of the default run (<c>./test.sh</c> filters
/// <c>Category!=Soak</c>): <c>dotnet test Brax.Viewer.Tests -c Release --filter Category=Soak</c>.
/// </summary>
[Collection(MeasuringGroup.Name)]
[Trait("Category", "Soak")]
public sealed class SoakTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const int Workers = 8;
    private const int MaxFrameBytes = 256 * 1024;
    private const int BigFrameBytes = 60 * 1024;
    // BRAX_SOAK_SCALE=0.1 runs a 30-second rehearsal of the same soak.
    private static readonly double Scale = double.TryParse(System.Environment.GetEnvironmentVariable("BRAX_SOAK_SCALE"), CultureInfo.InvariantCulture, out var scale) ? scale : 1.0;
    private static readonly int Cycles = (int)(10_000 * Scale);
    private static readonly TimeSpan Duration = TimeSpan.FromMinutes(5 * Scale);
    private static readonly TimeSpan ChurnTime = TimeSpan.FromMinutes(4.3 * Scale);

    [Fact]
    public async Task Five_minutes_of_streaming_churn_stalls_and_oversize_messages_leave_nothing_behind()
    {
        // A run history of 2 s instead of a minute: frames still enter and leave it all through the
        // soak, but what it holds on purpose (a window of 60 KB frames) stays small beside the 10%.
        await using var server = await ServerProcess.StartAsync(
            ["--urls", "http://127.0.0.1:0", $"--Viewer:MaxFrameBytes={MaxFrameBytes.ToString(CultureInfo.InvariantCulture)}", "--Viewer:SendTimeout=00:00:05", "--Viewer:HistoryWindow=00:00:02"],
            ServerMemory.Environment);
        using var http = new HttpClient();
        var clock = Stopwatch.StartNew();
        using var stop = new CancellationTokenSource();

        // The steady part: two streamers and the viewers that must get every frame in order.
        var small = new Stream(server, "soak", BraxFixtures.Frames("ant"));
        var big = new Stream(server, "soak-big", [BigFrame()]);
        var viewers = new List<SteadyViewer>
        {
            await SteadyViewer.RawAsync(server, "soak"),
            await SteadyViewer.RawAsync(server, "soak"),
            await SteadyViewer.RawAsync(server, "soak-big"),
            await SteadyViewer.SignalRAsync(server, "soak", HubProtocolKind.Json),
            await SteadyViewer.SignalRAsync(server, "soak", HubProtocolKind.MessagePack),
        };
        await Task.Delay(500);
        var streaming = Task.WhenAll(small.RunAsync(oversizeEvery: null, stop.Token), big.RunAsync(TimeSpan.FromSeconds(2), stop.Token));

        // Warm up every path (JIT, pools, thread pool) with a few hundred cycles and a round of
        // stalled readers evicted and replaced, then take the starting figure.
        var stalling = StallAsync(server, stop.Token);
        await ChurnAsync(server, 400, TimeSpan.FromSeconds(20), CancellationToken.None);
        var start = await ServerMemory.SettledResidentBytesAsync(server, http);
        output.WriteLine($"{clock.Elapsed:mm\\:ss} start: RSS {ServerMemory.MiB(start)}");

        var sampling = SampleAsync(server, clock, stop.Token);
        var churn = await ChurnAsync(server, Cycles, ChurnTime, CancellationToken.None);
        var remaining = Duration - clock.Elapsed - TimeSpan.FromSeconds(20);
        if (remaining > TimeSpan.Zero)
        {
            await Task.Delay(remaining);
        }

        await stop.CancelAsync();
        await streaming;
        await stalling;
        output.WriteLine("RSS during the soak: " + string.Join(", ", await sampling));
        var end = await ServerMemory.SettledResidentBytesAsync(server, http);
        var mid = await Diagnostics(http, server);
        output.WriteLine($"{clock.Elapsed:mm\\:ss} end: {churn} cycles; streamed {small.Sent} + {big.Sent} frames, {big.Oversize} oversize; RSS {ServerMemory.MiB(end)} ({(end - start) * 100.0 / start:+0.0;-0.0}%); diagnostics with the steady clients still on: {mid.ToJsonString()}");
        foreach (var viewer in viewers)
        {
            output.WriteLine($"steady viewer on {viewer.Run} ({viewer.Kind}): {viewer.Received} frames, {viewer.Gaps} skipped, {viewer.OutOfOrder} out of order");
        }

        foreach (var viewer in viewers)
        {
            await viewer.DisposeAsync();
        }

        await small.DisposeAsync();
        await big.DisposeAsync();
        await Eventually.HoldsAsync(
            async () => (await Diagnostics(http, server)) is var d && new[] { "raw_sockets", "streamers", "frame_viewers", "control_clients", "viewer_groups", "viewer_memberships" }.All(key => d[key]!.GetValue<long>() == 0),
            "every registration is gone",
            TimeSpan.FromSeconds(60));
        var lines = server.Output;
        var errors = Enumerable.Range(0, lines.Count)
            .Where(i => lines[i].StartsWith("fail:", StringComparison.Ordinal) || lines[i].StartsWith("crit:", StringComparison.Ordinal))
            .Select(i => string.Join(" / ", lines.Skip(i).Take(4)))
            .ToList();
        output.WriteLine($"{clock.Elapsed:mm\\:ss} all gone: {(await Diagnostics(http, server)).ToJsonString()}; server log: {lines.Count(l => l.StartsWith("warn:", StringComparison.Ordinal))} warnings, {errors.Count} errors");
        errors.ForEach(output.WriteLine);

        churn.Should().Be(Cycles);
        errors.Should().BeEmpty("no error is logged: everything injected is a client's doing");
        end.Should().BeLessThan(start + (start / 10), "memory is back within 10% of its start");
        foreach (var viewer in viewers)
        {
            viewer.OutOfOrder.Should().Be(0, $"a steady viewer on {viewer.Run} gets frames in order");
            viewer.Received.Should().BeGreaterThan(0);
            viewer.Gaps.Should().BeLessThan(Math.Max(10, viewer.Received / 100), "a viewer that keeps up skips (almost) nothing");
        }
    }

    // The server's RSS every 30 s, to tell a plateau from a climb.
    private static async Task<List<string>> SampleAsync(ServerProcess server, Stopwatch clock, CancellationToken stop)
    {
        var samples = new List<string>();
        try
        {
            while (true)
            {
                samples.Add($"{clock.Elapsed:mm\\:ss} {ServerMemory.MiB(server.ResidentBytes())}");
                await Task.Delay(TimeSpan.FromSeconds(30), stop);
            }
        }
        catch (OperationCanceledException)
        {
            return samples;
        }
    }

    // Runs `count` cycles spread over `time` on `Workers` loops; returns how many ran.
    private static async Task<int> ChurnAsync(ServerProcess server, int count, TimeSpan time, CancellationToken cancellationToken)
    {
        var done = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Workers).Select(worker => Task.Run(async () =>
        {
            var mine = count / Workers;
            for (var k = 0; k < mine && !cancellationToken.IsCancellationRequested; k++)
            {
                var due = time * ((double)k / mine);
                if (due > clock.Elapsed)
                {
                    await Task.Delay(due - clock.Elapsed, cancellationToken);
                }

                await CycleAsync(server, (worker * mine) + k);
                Interlocked.Increment(ref done);
            }
        }, cancellationToken)));
        return done;
    }

    // One connect and abrupt disconnect, of a kind chosen by the cycle's number.
    private static async Task CycleAsync(ServerProcess server, int cycle)
    {
        try
        {
            switch (cycle % 8)
            {
                case 0 or 1:
                {
                    // A raw viewer that takes a frame, or not, and vanishes.
                    using var socket = new ClientWebSocket();
                    await socket.ConnectAsync(server.WebSocket(cycle % 2 == 0 ? "ws/frame?run=soak" : "ws/frame?run=soak-big"), CancellationToken.None);
                    if (cycle % 16 == 0)
                    {
                        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                        await socket.ReceiveAsync(new byte[256 * 1024], wait.Token);
                    }

                    socket.Abort();
                    break;
                }

                case 2 or 3:
                {
                    // A raw streamer cut off in the middle of a frame, with or without a TCP reset.
                    using var socket = await StalledWebSocket.ConnectAsync(server.WebSocket("ws/frame?is_streamer=true&run=soak"));
                    var frame = WireFrame.Build(0x81, FuzzSnippets.Utf8(BraxFixtures.Frames("ant")[cycle % 120]));
                    await socket.Socket.SendAsync(frame.AsMemory(0, frame.Length / 2));
                    if (cycle % 4 == 2)
                    {
                        socket.Socket.LingerState = new LingerOption(true, 0);
                    }

                    break;
                }

                case 4 or 5:
                {
                    // A SignalR viewer (JSON or MessagePack) that completes its handshake and vanishes.
                    using var socket = await StalledWebSocket.ConnectAsync(server.WebSocket("hubs/frame?run=soak"));
                    if (cycle % 2 == 0)
                    {
                        await socket.SendTextAsync("{\"protocol\":\"json\",\"version\":1}\u001e");
                    }
                    else
                    {
                        await socket.SendTextAsync("{\"protocol\":\"messagepack\",\"version\":1}\u001e");
                    }

                    using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                    await socket.ReadFrameAsync(wait.Token);
                    break;
                }

                case 6:
                {
                    // A control client that toggles and vanishes.
                    using var socket = new ClientWebSocket();
                    await socket.ConnectAsync(server.WebSocket("ws/control?run=soak"), CancellationToken.None);
                    await socket.SendAsync(FuzzSnippets.Utf8("""{"type":"toggle_render","enabled":true}"""), WebSocketMessageType.Text, true, CancellationToken.None);
                    socket.Abort();
                    break;
                }

                default:
                {
                    // A SignalR client through negotiation, closed properly once in a while.
                    await using var client = new HubConnectionBuilder().WithUrl(server.Http("hubs/control?run=soak")).Build();
                    await client.StartAsync();
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or SocketException or OperationCanceledException or HttpRequestException)
        {
            // A cycle that the server's own limits or timing cut short is still a cycle.
        }
    }

    // Readers that stop reading a run of 60 KB frames: replaced every 15 s, evicted by the send timeout.
    private static async Task StallAsync(ServerProcess server, CancellationToken stop)
    {
        var stalled = new List<StalledWebSocket>();
        try
        {
            while (!stop.IsCancellationRequested)
            {
                stalled.ForEach(socket => socket.Dispose());
                stalled.Clear();
                for (var i = 0; i < 10; i++)
                {
                    stalled.Add(await StalledWebSocket.ConnectAsync(server.WebSocket("ws/frame?run=soak-big")));
                }

                await Task.Delay(TimeSpan.FromSeconds(15), stop);
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            stalled.ForEach(socket => socket.Dispose());
        }
    }

    private static string BigFrame()
    {
        var bodies = BigFrameBytes / 60;
        return "{\"x\":{\"pos\":[" + string.Join(',', Enumerable.Repeat("[0.12345678901234567,1.2345678901234567,2.3456789]", bodies))
            + "],\"rot\":[" + string.Join(',', Enumerable.Repeat("[1,0,0,0]", bodies)) + "]}}";
    }

    private static async Task<JsonObject> Diagnostics(HttpClient http, ServerProcess server) =>
        (await http.GetFromJsonAsync<JsonObject>(server.Http("api/diagnostics")))!;

    /// <summary>A streamer at 30 fps; each frame carries its sequence number in "seq".</summary>
    private sealed class Stream(ServerProcess server, string run, string[] frames) : IAsyncDisposable
    {
        private RawClient? _client;

        public int Sent { get; private set; }

        public int Oversize { get; private set; }

        public string Run => run;

        public async Task RunAsync(TimeSpan? oversizeEvery, CancellationToken stop)
        {
            _client = await RawClient.ConnectAsync(server.WebSocket($"ws/frame?is_streamer=true&run={run}"));
            var clock = Stopwatch.StartNew();
            var nextOversize = oversizeEvery ?? TimeSpan.MaxValue;
            var oversize = FuzzSnippets.Utf8("{\"x\":{\"pos\":[],\"rot\":[]},\"pad\":\"" + new string('a', MaxFrameBytes + 1000) + "\"}");
            while (!stop.IsCancellationRequested)
            {
                var frame = frames[Sent % frames.Length];
                await _client.SendAsync("{\"seq\":" + Sent + "," + frame[1..]);
                Sent++;
                if (clock.Elapsed > nextOversize)
                {
                    await new WireMessage(new FuzzCase("oversize", oversize), WebSocketMessageType.Text, Oversize % 2 == 0 ? [] : [1000, 100_000]).SendAsync(_client.Socket);
                    Oversize++;
                    nextOversize += oversizeEvery!.Value;
                }

                var due = TimeSpan.FromSeconds(Sent / 30.0);
                if (due > clock.Elapsed)
                {
                    await Task.Delay(due - clock.Elapsed, CancellationToken.None);
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (_client is not null)
            {
                await _client.DisposeAsync();
            }
        }
    }

    /// <summary>A viewer that reads every frame and counts gaps and disorder in "seq".</summary>
    private sealed class SteadyViewer : IAsyncDisposable
    {
        private readonly IAsyncDisposable _client;
        private readonly Task _reading;
        private int _last = -1;

        private SteadyViewer(string run, string kind, IAsyncDisposable client, Func<CancellationToken, Task<byte[]>> next)
        {
            Run = run;
            Kind = kind;
            _client = client;
            _reading = Task.Run(async () =>
            {
                try
                {
                    while (true)
                    {
                        Count(await next(CancellationToken.None));
                    }
                }
                catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException or System.Threading.Channels.ChannelClosedException)
                {
                }
            });
        }

        public string Run { get; }

        public string Kind { get; }

        public int Received { get; private set; }

        public int Gaps { get; private set; }

        public int OutOfOrder { get; private set; }

        public static async Task<SteadyViewer> RawAsync(ServerProcess server, string run)
        {
            var client = await RawClient.ConnectAsync(server.WebSocket($"ws/frame?run={run}"));
            return new SteadyViewer(run, "raw", client, _ => client.ReceiveBytesAsync(TimeSpan.FromMinutes(10)));
        }

        public static async Task<SteadyViewer> SignalRAsync(ServerProcess server, string run, HubProtocolKind protocol)
        {
            var builder = new HubConnectionBuilder().WithUrl(server.Http($"hubs/frame?run={run}"));
            if (protocol == HubProtocolKind.MessagePack)
            {
                builder.AddMessagePackProtocol();
            }

            var connection = builder.Build();
            var frames = System.Threading.Channels.Channel.CreateUnbounded<byte[]>();
            connection.On<Frame>(FrameHubContract.ReceiveFrame, frame => frames.Writer.TryWrite(frame.Utf8Json.ToArray()));
            connection.Closed += _ =>
            {
                frames.Writer.TryComplete();
                return Task.CompletedTask;
            };
            await connection.StartAsync();
            return new SteadyViewer(run, protocol.ToString(), connection, token => frames.Reader.ReadAsync(token).AsTask());
        }

        public async ValueTask DisposeAsync()
        {
            await _client.DisposeAsync();
            await _reading.WaitAsync(TimeSpan.FromSeconds(10));
        }

        private void Count(byte[] frame)
        {
            using var document = JsonDocument.Parse(frame);
            var seq = document.RootElement.GetProperty("seq").GetInt32();
            if (seq <= _last)
            {
                OutOfOrder++;
            }
            else
            {
                Gaps += _last < 0 ? 0 : seq - _last - 1;
                _last = seq;
            }

            Received++;
        }
    }
}
