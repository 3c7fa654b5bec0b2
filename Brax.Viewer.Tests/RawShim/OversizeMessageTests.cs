using System.Net.WebSockets;
using System.Text;
using Brax.Viewer.Hubs.Diagnostics;
using Brax.Viewer.Tests.Infrastructure;

namespace Brax.Viewer.Tests.RawShim;

/// <summary>
/// Raw frames and control messages over their limit are read through and ignored, whole or in
/// fragments, and counted; a message of exactly the limit still goes through. What they cost in
/// memory is measured in <see cref="OversizeMemoryTests"/>.
/// </summary>
public sealed class OversizeMessageTests : IAsyncLifetime
{
    private const int FrameLimit = 64 * 1024;
    private const int ControlLimit = 1024;
    private ViewerTestServer _server = null!;

    private HubDiagnostics Diagnostics => _server.GetRequiredService<HubDiagnostics>();

    public async Task InitializeAsync() =>
        _server = await ViewerTestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Viewer:MaxFrameBytes"] = FrameLimit.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Viewer:MaxControlMessageBytes"] = ControlLimit.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData(int.MaxValue)]
    [InlineData(8 * 1024)]
    public async Task A_frame_over_the_limit_is_ignored_and_counted_whole_or_in_fragments(int fragmentBytes)
    {
        await using var viewer = await RawClient.ConnectAsync(_server.WebSocket($"ws/frame?run=over-{fragmentBytes}"));
        await using var streamer = await RawClient.ConnectAsync(_server.WebSocket($"ws/frame?run=over-{fragmentBytes}&is_streamer=true"));
        await _server.ViewersJoinedAsync(1);
        var refusedBefore = Diagnostics.RefusalCount(RefusalReason.MessageTooLarge);

        await SendAsync(streamer, FrameOf(FrameLimit + 1), fragmentBytes);
        var next = FrameOf(100);
        await streamer.SendAsync(next);

        (await viewer.ReceiveBytesAsync()).Should().Equal(next, "the frame one byte over the limit never reached the viewer");
        streamer.Socket.State.Should().Be(WebSocketState.Open);
        Diagnostics.RefusalCount(RefusalReason.MessageTooLarge).Should().Be(refusedBefore + 1);
    }

    [Fact]
    public async Task A_fragmented_frame_of_exactly_the_limit_ending_in_an_empty_fragment_is_relayed()
    {
        await using var viewer = await RawClient.ConnectAsync(_server.WebSocket("ws/frame?run=exact"));
        await using var streamer = await RawClient.ConnectAsync(_server.WebSocket("ws/frame?run=exact&is_streamer=true"));
        await _server.ViewersJoinedAsync(1);
        var exact = FrameOf(FrameLimit);

        for (var offset = 0; offset < exact.Length; offset += 10_000)
        {
            await streamer.Socket.SendAsync(exact.AsMemory(offset, Math.Min(10_000, exact.Length - offset)), WebSocketMessageType.Text, endOfMessage: false, CancellationToken.None);
        }

        await streamer.Socket.SendAsync(ReadOnlyMemory<byte>.Empty, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);

        (await viewer.ReceiveBytesAsync()).Should().Equal(exact);
    }

    [Theory]
    [InlineData(int.MaxValue)]
    [InlineData(100)]
    public async Task A_control_message_over_the_limit_changes_nothing_and_the_client_stays(int fragmentBytes)
    {
        await using var control = await RawClient.ConnectAsync(_server.WebSocket($"ws/control?run=control-over-{fragmentBytes}"));
        (await control.ReceiveAsync()).Should().Contain("\"enabled\":true");
        var padded = Encoding.UTF8.GetBytes("{\"type\":\"toggle_render\",\"enabled\":false,\"pad\":\"" + new string(' ', ControlLimit) + "\"}");

        await SendAsync(control, padded, fragmentBytes);
        await control.SendAsync("""{"type":"toggle_render","enabled":true}""");

        (await control.ReceiveAsync()).Should().Be("""{"type":"set_render_state","enabled":true}""", "the oversized toggle to false was ignored; the next one is answered");
        control.Socket.State.Should().Be(WebSocketState.Open);
    }

    /// <summary>Sends <paramref name="message"/> in fragments of <paramref name="fragmentBytes"/> (one frame when it is larger).</summary>
    internal static async Task SendAsync(RawClient client, byte[] message, int fragmentBytes)
    {
        for (var offset = 0; offset < message.Length; offset += fragmentBytes)
        {
            var length = Math.Min(fragmentBytes, message.Length - offset);
            await client.Socket.SendAsync(message.AsMemory(offset, length), WebSocketMessageType.Text, endOfMessage: offset + length == message.Length, CancellationToken.None);
        }
    }

    /// <summary>A valid frame of exactly <paramref name="bytes"/> bytes, padded with a string member.</summary>
    internal static byte[] FrameOf(int bytes)
    {
        const string head = "{\"x\":{\"pos\":[],\"rot\":[]},\"pad\":\"";
        return Encoding.UTF8.GetBytes(head + new string('x', bytes - head.Length - 2) + "\"}");
    }
}
