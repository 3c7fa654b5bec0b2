using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Brax.Viewer.Client;
using Brax.Viewer.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;

namespace Brax.Viewer.Tests.Hubs;

public sealed class RenderToggleTests : IAsyncLifetime
{
    private const string On = """{"type":"set_render_state","enabled":true}""";
    private const string Off = """{"type":"set_render_state","enabled":false}""";
    private ViewerTestServer _server = null!;

    private HttpClient Http => _server.Client;

    public async Task InitializeAsync() => _server = await ViewerTestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Every_control_client_hears_the_current_state_on_connect()
    {
        await using var raw = await RawClient.ConnectAsync(_server.WebSocket("ws/control"));
        await using var json = await SignalRClient.ConnectAsync(_server, "hubs/control", HubProtocolKind.Json);
        await using var pack = await SignalRClient.ConnectAsync(_server, "hubs/control", HubProtocolKind.MessagePack);

        (await raw.ReceiveAsync()).Should().Be(On);
        (await json.NextRenderStateAsync()).Should().BeTrue();
        (await pack.NextRenderStateAsync()).Should().BeTrue();
    }

    [Theory]
    [InlineData("raw")]
    [InlineData("json")]
    [InlineData("messagepack")]
    [InlineData("http")]
    public async Task A_toggle_from_any_kind_of_client_reaches_every_control_client_and_the_HTTP_status(string origin)
    {
        await using var raw = await RawClient.ConnectAsync(_server.WebSocket("ws/control"));
        await using var json = await SignalRClient.ConnectAsync(_server, "hubs/control", HubProtocolKind.Json);
        await using var pack = await SignalRClient.ConnectAsync(_server, "hubs/control", HubProtocolKind.MessagePack);
        (await raw.ReceiveAsync()).Should().Be(On);
        (await json.NextRenderStateAsync()).Should().BeTrue();
        (await pack.NextRenderStateAsync()).Should().BeTrue();
        await _server.ControlClientsConnectedAsync(3);

        switch (origin)
        {
            case "raw":
                await raw.SendAsync("""{"type": "toggle_render", "enabled": false}""");
                break;
            case "json":
                await json.Connection.InvokeAsync(ControlHubContract.ToggleRender, false);
                break;
            case "messagepack":
                await pack.Connection.InvokeAsync(ControlHubContract.ToggleRender, false);
                break;
            default:
                (await Http.PostAsJsonAsync(_server.Http("api/rendering_status"), new { rendering_enabled = false })).EnsureSuccessStatusCode();
                break;
        }

        (await raw.ReceiveAsync()).Should().Be(Off, "the sender hears its own toggle too");
        (await json.NextRenderStateAsync()).Should().BeFalse();
        (await pack.NextRenderStateAsync()).Should().BeFalse();
        (await RenderingEnabledAsync()).Should().BeFalse();

        await using var late = await RawClient.ConnectAsync(_server.WebSocket("ws/control"));
        (await late.ReceiveAsync()).Should().Be(Off, "a client that connects later hears the stored state");
    }

    [Theory]
    [InlineData("""{"type": "toggle_render", "enabled": "false"}""")]
    [InlineData("""{"type": "toggle_render", "enabled": 0}""")]
    [InlineData("""{"type": "toggle_render"}""")]
    [InlineData("""{"type": "make_coffee", "enabled": false}""")]
    [InlineData("""{"enabled": false}""")]
    [InlineData("""not json""")]
    [InlineData("""[false]""")]
    public async Task Bad_control_messages_change_nothing_and_the_client_stays_connected(string message)
    {
        await using var sender = await RawClient.ConnectAsync(_server.WebSocket("ws/control"));
        await using var listener = await SignalRClient.ConnectAsync(_server, "hubs/control", HubProtocolKind.Json);
        (await sender.ReceiveAsync()).Should().Be(On);
        (await listener.NextRenderStateAsync()).Should().BeTrue();

        await sender.SendAsync(message);

        await sender.ExpectNothingAsync(TimeSpan.FromMilliseconds(300));
        await listener.ExpectNoRenderStateAsync(TimeSpan.Zero);
        (await RenderingEnabledAsync()).Should().BeTrue();

        await sender.SendAsync("""{"type":"toggle_render","enabled":false}""");
        (await sender.ReceiveAsync()).Should().Be(Off, "the connection still works after bad input");
    }

    [Fact]
    public async Task Runs_have_separate_toggles_and_control_groups()
    {
        await using var main = await RawClient.ConnectAsync(_server.WebSocket("ws/control"));
        await using var other = await RawClient.ConnectAsync(_server.WebSocket("ws/control?run=ant-ppo.2"));
        (await main.ReceiveAsync()).Should().Be(On);
        (await other.ReceiveAsync()).Should().Be(On);

        await other.SendAsync("""{"type":"toggle_render","enabled":false}""");

        (await other.ReceiveAsync()).Should().Be(Off);
        await main.ExpectNothingAsync(TimeSpan.FromMilliseconds(300));
        (await RenderingEnabledAsync()).Should().BeTrue();
        (await RenderingEnabledAsync("?run=ant-ppo.2")).Should().BeFalse();
    }

    private async Task<bool> RenderingEnabledAsync(string query = "")
    {
        var status = await Http.GetFromJsonAsync<JsonObject>(_server.Http("api/rendering_status" + query));
        return status!["rendering_enabled"]!.GetValue<bool>();
    }
}
