using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Brax.Viewer.Client;
using Brax.Viewer.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;

namespace Brax.Viewer.Tests.ScaleOut;

public sealed class CrossInstanceToggleTests(ThreeInstances instances) : IClassFixture<ThreeInstances>, IDisposable
{
    private const string On = """{"type":"set_render_state","enabled":true}""";
    private const string Off = """{"type":"set_render_state","enabled":false}""";
    private readonly HttpClient _http = new();

    private ScaleOutCluster Cluster => instances.Cluster;

    [Theory]
    [InlineData("raw", 0)]
    [InlineData("json", 1)]
    [InlineData("messagepack", 2)]
    [InlineData("http", 1)]
    public async Task A_toggle_on_any_instance_reaches_every_control_client_and_every_instances_HTTP_status(string origin, int instance)
    {
        var run = "toggle-" + origin;
        var raws = new List<RawClient>();
        var jsons = new List<SignalRClient>();
        var packs = new List<SignalRClient>();
        try
        {
            foreach (var server in Cluster.Servers)
            {
                raws.Add(await RawClient.ConnectAsync(server.WebSocket($"ws/control?run={run}")));
                jsons.Add(await SignalRClient.ConnectAsync(server, $"hubs/control?run={run}", HubProtocolKind.Json));
                packs.Add(await SignalRClient.ConnectAsync(server, $"hubs/control?run={run}", HubProtocolKind.MessagePack, skipNegotiation: true));
            }

            // Joined once each has been told the current state.
            foreach (var raw in raws)
            {
                (await raw.ReceiveAsync()).Should().Be(On);
            }

            foreach (var client in jsons.Concat(packs))
            {
                (await client.NextRenderStateAsync()).Should().BeTrue();
            }

            var originServer = Cluster.Servers[instance];
            switch (origin)
            {
                case "raw":
                    await raws[instance].SendAsync("""{"type":"toggle_render","enabled":false}""");
                    break;
                case "json":
                    await jsons[instance].Connection.InvokeAsync(ControlHubContract.ToggleRender, false);
                    break;
                case "messagepack":
                    await packs[instance].Connection.InvokeAsync(ControlHubContract.ToggleRender, false);
                    break;
                default:
                    using (var response = await _http.PostAsJsonAsync(originServer.Http($"api/rendering_status?run={run}"), new { rendering_enabled = false }))
                    {
                        response.EnsureSuccessStatusCode();
                    }

                    break;
            }

            foreach (var raw in raws)
            {
                (await raw.ReceiveAsync()).Should().Be(Off, "raw control clients on every instance hear the toggle");
            }

            foreach (var client in jsons.Concat(packs))
            {
                (await client.NextRenderStateAsync()).Should().BeFalse("SignalR control clients on every instance hear the toggle");
            }

            foreach (var each in Cluster.Servers)
            {
                var status = await _http.GetFromJsonAsync<JsonObject>(each.Http($"api/rendering_status?run={run}"));
                status!["rendering_enabled"]!.GetValue<bool>().Should().BeFalse("every instance answers from the shared state");
            }

            // A client that arrives later, anywhere, is told the shared state.
            await using var late = await RawClient.ConnectAsync(Cluster.C.WebSocket($"ws/control?run={run}"));
            (await late.ReceiveAsync()).Should().Be(Off);
            foreach (var raw in raws)
            {
                await raw.ExpectNothingAsync(TimeSpan.FromMilliseconds(100));
            }
        }
        finally
        {
            foreach (var client in raws)
            {
                await client.DisposeAsync();
            }

            foreach (var client in jsons.Concat(packs))
            {
                await client.DisposeAsync();
            }
        }
    }

    public void Dispose() => _http.Dispose();
}
