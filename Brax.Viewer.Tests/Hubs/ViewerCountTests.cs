using Brax.Viewer.Client;
using Brax.Viewer.Tests.Infrastructure;

namespace Brax.Viewer.Tests.Hubs;

/// <summary>
/// Control clients hear how many viewers their run has: on connect, and when viewers (raw and
/// SignalR alike) come and go, coalesced so a crowd arriving at once is a message or two.
/// </summary>
public sealed class ViewerCountTests : IAsyncLifetime
{
    private ViewerTestServer _server = null!;

    public async Task InitializeAsync() => _server = await ViewerTestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task A_raw_control_client_hears_the_count_on_connect_and_as_raw_and_SignalR_viewers_come_and_go()
    {
        await using var trainer = await RawClient.ConnectAsync(_server.WebSocket("ws/control?run=counted"));
        (await trainer.NextViewerCountAsync()).Should().Be(0, "nobody watches yet");

        await using var raw = await RawClient.ConnectAsync(_server.WebSocket("ws/frame?run=counted"));
        (await trainer.NextViewerCountAsync()).Should().Be(1);

        await using (var signalR = await SignalRClient.ConnectAsync(_server, $"{FrameHubContract.Path}?run=counted", HubProtocolKind.MessagePack))
        {
            (await trainer.NextViewerCountAsync()).Should().Be(2);
        }

        (await trainer.NextViewerCountAsync()).Should().Be(1, "the SignalR viewer left");
    }

    [Fact]
    public async Task A_SignalR_control_client_hears_the_count_and_the_raw_message_has_the_documented_shape()
    {
        await using var viewer = await RawClient.ConnectAsync(_server.WebSocket("ws/frame?run=counted-signalr"));
        await _server.ViewersJoinedAsync(1);
        await using var control = await SignalRClient.ConnectAsync(_server, $"{ControlHubContract.Path}?run=counted-signalr", HubProtocolKind.Json);
        (await control.NextViewerCountAsync()).Should().Be(1);

        // A control socket that does not set apart viewer counts sees the documented JSON.
        using var socket = new System.Net.WebSockets.ClientWebSocket();
        await socket.ConnectAsync(_server.WebSocket("ws/control?run=counted-signalr"), CancellationToken.None);
        var buffer = new byte[256];
        var greeting = await socket.ReceiveAsync(buffer, CancellationToken.None);
        System.Text.Encoding.UTF8.GetString(buffer, 0, greeting.Count).Should().Be("""{"type":"set_render_state","enabled":true}""");
        var count = await socket.ReceiveAsync(buffer, CancellationToken.None);
        System.Text.Encoding.UTF8.GetString(buffer, 0, count.Count).Should().Be("""{"type":"viewer_count","count":1}""");
    }

    [Fact]
    public async Task Viewers_arriving_together_are_told_in_a_few_messages_and_other_runs_do_not_count()
    {
        await using var trainer = await RawClient.ConnectAsync(_server.WebSocket("ws/control?run=crowd"));
        (await trainer.NextViewerCountAsync()).Should().Be(0);

        var crowd = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => RawClient.ConnectAsync(_server.WebSocket("ws/frame?run=crowd"))));
        await using var elsewhere = await RawClient.ConnectAsync(_server.WebSocket("ws/frame?run=not-the-crowd"));
        try
        {
            var told = new List<int>();
            while (told.LastOrDefault() != 20)
            {
                told.Add(await trainer.NextViewerCountAsync());
            }

            told.Count.Should().BeLessThanOrEqualTo(4, "counts are coalesced, not one message per viewer: {0}", string.Join(", ", told));
            await Task.Delay(ViewerCountPeriodAndMargin);
            trainer.TryTakeViewerCount(out var extra).Should().BeFalse("the run's count did not change after 20, got {0}", extra);
        }
        finally
        {
            foreach (var viewer in crowd)
            {
                await viewer.DisposeAsync();
            }
        }
    }

    // "Nothing more is told" has no event to wait for: a few announcement periods.
    private static TimeSpan ViewerCountPeriodAndMargin => TimeSpan.FromMilliseconds(750);
}
