using System.Text.Json;
using Brax.Viewer.Client;
using Brax.Viewer.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace Brax.Viewer.Tests.Hubs;

/// <summary>
/// A number past float64 (<c>1e999</c>) is refused on every way in, like NaN: raw viewers would get
/// it verbatim and MessagePack viewers as Infinity.
/// </summary>
public sealed class NumberRangeTests : IAsyncLifetime
{
    private const string Overflowing = """{"x":{"pos":[[1e999,0,0]],"rot":[[1,0,0,0]]}}""";
    private const string Negative = """{"x":{"pos":[[0,0,0]],"rot":[[1,0,0,0]]},"qd":[-1e999]}""";
    private const string Fine = """{"x":{"pos":[[1.7976931348623157e308,0,0]],"rot":[[1,0,0,0]]}}""";
    private ViewerTestServer _server = null!;

    public async Task InitializeAsync() => _server = await ViewerTestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Raw_streamer_frames_with_numbers_past_float64_are_dropped_and_the_next_frame_flows()
    {
        await using var rawViewer = await RawClient.ConnectAsync(_server.WebSocket("ws/frame?run=range-raw"));
        await using var packViewer = await SignalRClient.ConnectAsync(_server, "hubs/frame?run=range-raw", HubProtocolKind.MessagePack);
        await using var streamer = await RawClient.ConnectAsync(_server.WebSocket("ws/frame?run=range-raw&is_streamer=true"));
        await _server.ViewersJoinedAsync(2);

        await streamer.SendAsync(Overflowing);
        await streamer.SendAsync(Negative);
        await streamer.SendAsync(Fine);

        (await rawViewer.ReceiveAsync()).Should().Be(Fine, "both out-of-range frames were dropped before any viewer");
        (await packViewer.NextFrameAsync()).ToString().Should().Contain("1.7976931348623157E+308");
        await rawViewer.ExpectNothingAsync(TimeSpan.FromMilliseconds(200));
        packViewer.TryTakeFrame(out var extra).Should().BeFalse("no MessagePack viewer gets Infinity, got {0}", extra);
    }

    [Fact]
    public async Task SignalR_JSON_streamer_frames_with_numbers_past_float64_fail_and_reach_no_viewer()
    {
        await using var rawViewer = await RawClient.ConnectAsync(_server.WebSocket("ws/frame?run=range-json"));
        await using var streamer = await SignalRClient.ConnectAsync(_server, "hubs/frame?run=range-json&is_streamer=true", HubProtocolKind.Json);
        await _server.ViewersJoinedAsync(1);

        foreach (var bad in new[] { Overflowing, Negative })
        {
            var send = () => streamer.Connection.InvokeAsync(FrameHubContract.SendFrame, JsonDocument.Parse(bad).RootElement);
            await send.Should().ThrowAsync<HubException>();
        }

        await streamer.Connection.InvokeAsync(FrameHubContract.SendFrame, JsonDocument.Parse(Fine).RootElement);
        (await rawViewer.ReceiveAsync()).Should().Be(Fine);
        streamer.Connection.State.Should().Be(HubConnectionState.Connected);
    }
}
