using System.Text.Json;
using System.Text.Json.Nodes;
using Brax.Viewer.Client;
using Brax.Viewer.Tests.Infrastructure;
using MessagePack;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace Brax.Viewer.Tests.Hubs;

public sealed class CrossProtocolFrameTests : IAsyncLifetime
{
    // Values that float32 or a lossy formatter would change.
    private const string Precise = """{"x":{"pos":[[0.1,-2.5e-300,1.7976931348623157e308],[0.30000000000000004,1e21,-0.0]],"rot":[[1,0,0,0],[0.7071067811865476,0,0.7071067811865476,0]]},"env_id":1,"q":[3,-4,5000000000],"name":"a/b"}""";
    private ViewerTestServer _server = null!;

    public async Task InitializeAsync() => _server = await ViewerTestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData(HubProtocolKind.Json)]
    [InlineData(HubProtocolKind.MessagePack)]
    public async Task SignalR_viewers_get_raw_frames_with_the_same_values(HubProtocolKind protocol)
    {
        await using var viewer = await SignalRClient.ConnectAsync(_server, "hubs/frame", protocol);
        await using var streamer = await RawClient.ConnectAsync(_server.WebSocket("ws/frame?is_streamer=true"));
        await _server.ViewersJoinedAsync(1);

        foreach (var line in BraxFixtures.Frames("arm").Take(20).Append(Precise))
        {
            await streamer.SendAsync(line);
            var received = await viewer.NextFrameAsync();
            JsonNode.DeepEquals(JsonNode.Parse(received.ToString()), JsonNode.Parse(line)).Should().BeTrue("the {0} viewer gets the values the streamer sent", protocol);
        }
    }

    [Fact]
    public async Task MessagePack_viewers_get_floats_as_float64()
    {
        await using var viewer = await SignalRClient.ConnectAsync(_server, "hubs/frame", HubProtocolKind.MessagePack);
        await using var streamer = await RawClient.ConnectAsync(_server.WebSocket("ws/frame?is_streamer=true"));
        await _server.ViewersJoinedAsync(1);

        await streamer.SendAsync(Precise);
        var frame = await viewer.NextFrameAsync();

        // Read the MessagePack encoding the viewer was sent: every non-integer number must be float64.
        var reader = new MessagePackReader(MessagePackSerializer.Serialize(frame));
        var codes = new List<byte>();
        Collect(ref reader, codes);
        codes.Should().NotContain(MessagePackCode.Float32);
        codes.Should().Contain(MessagePackCode.Float64);
    }

    [Theory]
    [InlineData(HubProtocolKind.Json)]
    [InlineData(HubProtocolKind.MessagePack)]
    public async Task Frames_from_SignalR_streamers_reach_raw_and_SignalR_viewers_as_equal_JSON(HubProtocolKind protocol)
    {
        await using var rawViewer = await RawClient.ConnectAsync(_server.WebSocket("ws/frame"));
        await using var jsonViewer = await SignalRClient.ConnectAsync(_server, "hubs/frame", HubProtocolKind.Json);
        await using var packViewer = await SignalRClient.ConnectAsync(_server, "hubs/frame", HubProtocolKind.MessagePack, skipNegotiation: true);
        await using var streamer = await SignalRClient.ConnectAsync(_server, "hubs/frame?is_streamer=true", protocol);
        await _server.ViewersJoinedAsync(3);

        var sent = Frame.Parse(Precise);
        await streamer.Connection.InvokeAsync(FrameHubContract.SendFrame, sent);

        var expected = JsonNode.Parse(Precise);
        JsonNode.DeepEquals(JsonNode.Parse(await rawViewer.ReceiveAsync()), expected).Should().BeTrue();
        JsonNode.DeepEquals(JsonNode.Parse((await jsonViewer.NextFrameAsync()).ToString()), expected).Should().BeTrue();
        JsonNode.DeepEquals(JsonNode.Parse((await packViewer.NextFrameAsync()).ToString()), expected).Should().BeTrue();
        await streamer.ExpectNoFrameAsync(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task Frames_from_a_JSON_streamer_reach_raw_viewers_byte_for_byte()
    {
        await using var rawViewer = await RawClient.ConnectAsync(_server.WebSocket("ws/frame"));
        await using var streamer = await SignalRClient.ConnectAsync(_server, "hubs/frame?is_streamer=true", HubProtocolKind.Json);
        await _server.ViewersJoinedAsync(1);

        await streamer.Connection.InvokeAsync(FrameHubContract.SendFrame, Frame.Parse(Precise));

        (await rawViewer.ReceiveAsync()).Should().Be(Precise, "the JSON protocol carries the frame's text unchanged");
    }

    [Theory]
    [InlineData(HubProtocolKind.Json)]
    [InlineData(HubProtocolKind.MessagePack)]
    public async Task SendFrame_from_a_viewer_fails_with_a_HubException(HubProtocolKind protocol)
    {
        await using var viewer = await SignalRClient.ConnectAsync(_server, "hubs/frame", protocol);
        await using var other = await RawClient.ConnectAsync(_server.WebSocket("ws/frame"));
        await _server.ViewersJoinedAsync(2);

        var send = () => viewer.Connection.InvokeAsync(FrameHubContract.SendFrame, Frame.Parse(Precise));

        (await send.Should().ThrowAsync<HubException>()).Which.Message.Should().Contain("is_streamer=true");
        await other.ExpectNothingAsync(TimeSpan.FromMilliseconds(200));
        viewer.Connection.State.Should().Be(HubConnectionState.Connected);
    }

    [Fact]
    public async Task Invalid_frames_from_SignalR_streamers_are_refused_and_not_forwarded()
    {
        await using var rawViewer = await RawClient.ConnectAsync(_server.WebSocket("ws/frame"));
        await using var streamer = await SignalRClient.ConnectAsync(_server, "hubs/frame?is_streamer=true", HubProtocolKind.Json);
        await _server.ViewersJoinedAsync(1);

        var send = () => streamer.Connection.InvokeAsync(FrameHubContract.SendFrame, JsonDocument.Parse("""{"x":{"pos":[[1,2]]}}""").RootElement);

        await send.Should().ThrowAsync<HubException>();
        await rawViewer.ExpectNothingAsync(TimeSpan.FromMilliseconds(200));
        streamer.Connection.State.Should().Be(HubConnectionState.Connected);
    }

    private static void Collect(ref MessagePackReader reader, List<byte> codes)
    {
        codes.Add(reader.NextCode);
        switch (reader.NextMessagePackType)
        {
            case MessagePackType.Map:
                var pairs = reader.ReadMapHeader();
                for (var i = 0; i < pairs * 2; i++)
                {
                    Collect(ref reader, codes);
                }

                break;
            case MessagePackType.Array:
                var items = reader.ReadArrayHeader();
                for (var i = 0; i < items; i++)
                {
                    Collect(ref reader, codes);
                }

                break;
            default:
                reader.Skip();
                break;
        }
    }
}
