using System.Buffers.Binary;
using System.Net.WebSockets;
using Brax.Viewer.Hubs.Diagnostics;
using Brax.Viewer.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace Brax.Viewer.Tests.Robustness;

/// <summary>
/// A raw client that writes its own WebSocket frames and breaks RFC 6455's framing rules, on each
/// raw endpoint, while a streamer streams to a viewer. The server fails that one connection with
/// the close code the RFC names (1002 protocol error; 1007 for text that is not UTF-8), the
/// streamer and the viewer go on as if nothing happened, nothing is logged as an error, and the
/// live counts return to zero when everyone has gone.
/// </summary>
public sealed class ShimFramingTests : IAsyncLifetime
{
    private const int ProtocolError = 1002;
    private const int InvalidPayloadData = 1007;
    private readonly CapturingLoggerProvider _logs = new();
    private ViewerTestServer _server = null!;

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var endpoint in new[] { "ws/frame?is_streamer=true", "ws/frame", "ws/control" })
        {
            foreach (var name in Frames.Keys)
            {
                data.Add(endpoint, name);
            }
        }

        return data;
    }

    private static readonly Dictionary<string, (byte[] Bytes, int Code)> Frames = new()
    {
        ["reserved bit RSV1"] = (WireFrame.Build(0xC1, "{}"u8.ToArray()), ProtocolError),
        ["reserved bit RSV2"] = (WireFrame.Build(0xA1, "{}"u8.ToArray()), ProtocolError),
        ["reserved bit RSV3"] = (WireFrame.Build(0x91, "{}"u8.ToArray()), ProtocolError),
        ["unknown data opcode 0x3"] = (WireFrame.Build(0x83, "{}"u8.ToArray()), ProtocolError),
        ["unknown control opcode 0xB"] = (WireFrame.Build(0x8B, []), ProtocolError),
        ["unmasked client frame"] = (WireFrame.Build(0x81, "{}"u8.ToArray(), masked: false), ProtocolError),
        ["ping over 125 bytes"] = (WireFrame.Build(0x89, new byte[126]), ProtocolError),
        ["fragmented ping"] = (WireFrame.Build(0x09, "p"u8.ToArray()), ProtocolError),
        ["continuation without a start"] = (WireFrame.Build(0x80, "{}"u8.ToArray()), ProtocolError),
        ["new message inside a fragmented one"] = ([.. WireFrame.Build(0x01, "{"u8.ToArray()), .. WireFrame.Build(0x81, "}"u8.ToArray())], ProtocolError),
        ["close with a 1-byte payload"] = (WireFrame.Build(0x88, [0x03]), ProtocolError),
        ["text that is not UTF-8"] = (WireFrame.Build(0x81, [(byte)'"', 0xFF, (byte)'"']), InvalidPayloadData),
        ["text cut inside a UTF-8 sequence"] = (WireFrame.Build(0x81, [(byte)'"', 0xE2, 0x82]), InvalidPayloadData),
    };

    public async Task InitializeAsync() =>
        _server = await ViewerTestServer.StartAsync(configure: builder => builder.Logging.AddProvider(_logs));

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_framing_error_fails_only_its_own_connection_with_the_RFC_close_code(string endpoint, string name)
    {
        var diagnostics = _server.GetRequiredService<HubDiagnostics>();
        var (bytes, code) = Frames[name];
        var viewer = await RawClient.ConnectAsync(_server.WebSocket("ws/frame"));
        var streamer = await RawClient.ConnectAsync(_server.WebSocket("ws/frame?is_streamer=true"));
        var control = await RawClient.ConnectAsync(_server.WebSocket("ws/control"));
        (await control.ReceiveAsync()).Should().Contain("set_render_state");
        await _server.ViewersJoinedAsync(1);
        await streamer.SendAsync(Frame(1));
        (await viewer.ReceiveAsync()).Should().Be(Frame(1));

        using (var broken = await StalledWebSocket.ConnectAsync(_server.WebSocket(endpoint)))
        {
            await Eventually.HoldsAsync(() => diagnostics.RawSockets == 4, "the broken client is connected");
            await broken.Socket.SendAsync(bytes);
            (await CloseCodeAsync(broken)).Should().Be(code, $"{name} fails the connection with {code}");
            await Eventually.HoldsAsync(() => diagnostics.RawSockets == 3, "the broken client is forgotten");
        }

        await streamer.SendAsync(Frame(2));
        (await viewer.ReceiveAsync()).Should().Be(Frame(2), "the viewer goes on receiving");
        await control.SendAsync("""{"type":"toggle_render","enabled":false}""");
        (await control.ReceiveAsync()).Should().Be("""{"type":"set_render_state","enabled":false}""", "the control client goes on");

        await viewer.DisposeAsync();
        await streamer.DisposeAsync();
        await control.DisposeAsync();
        await Eventually.HoldsAsync(
            () => diagnostics is { RawSockets: 0, Streamers: 0, FrameViewers: 0, ControlClients: 0, ViewerGroups: 0, ViewerMemberships: 0 },
            "every count is back to zero");
        _logs.Entries.Where(e => e.Level >= LogLevel.Error).Should().BeEmpty("a client's broken framing is not a server error");
    }

    private static string Frame(int seq) => $$"""{"x":{"pos":[[0,0,{{seq}}]],"rot":[[1,0,0,0]]},"seq":{{seq}}}""";

    // Reads what the server sends until its close frame; a dropped connection counts as no code.
    private static async Task<int?> CloseCodeAsync(StalledWebSocket client)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            while (true)
            {
                var (opcode, payload) = await client.ReadFrameAsync(timeout.Token);
                if (opcode == 0x8)
                {
                    return payload.Length >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(payload) : null;
                }
            }
        }
        catch (IOException)
        {
            return null;
        }
    }
}
