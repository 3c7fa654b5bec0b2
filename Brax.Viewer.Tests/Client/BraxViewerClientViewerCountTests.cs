using Brax.Viewer.Client;
using Brax.Viewer.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Brax.Viewer.Tests.Client;

/// <summary>
/// <c>ViewerCount(int)</c> is read from the real server; a stand-in control hub also sends a method
/// no client knows, which the client must ignore.
/// </summary>
public sealed class BraxViewerClientViewerCountTests
{
    [Fact]
    public async Task A_streamer_hears_from_the_real_server_how_many_viewers_its_run_has()
    {
        await using var server = await ViewerTestServer.StartAsync();
        var counts = System.Threading.Channels.Channel.CreateUnbounded<int>();
        await using var streamer = new BraxViewerClient(new BraxViewerClientOptions { ServerUrl = server.BaseUri, Run = "client-counted", Role = BraxViewerRole.Streamer });
        streamer.ViewerCountChanged += (_, count) => counts.Writer.TryWrite(count);
        await streamer.StartAsync();

        (await counts.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10))).Should().Be(0, "nobody watches yet");
        await using (var viewer = await RawClient.ConnectAsync(server.WebSocket("ws/frame?run=client-counted")))
        {
            (await counts.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10))).Should().Be(1);
        }

        (await counts.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10))).Should().Be(0, "the viewer left");
    }

    [Fact]
    public async Task Viewer_counts_are_read_and_unknown_methods_are_ignored()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddSignalR();
        await using var app = builder.Build();
        app.MapHub<StandInFrameHub>(FrameHubContract.Path);
        app.MapHub<StandInControlHub>(ControlHubContract.Path);
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());

        await using var client = new BraxViewerClient(new BraxViewerClientOptions { ServerUrl = address });
        var counts = new List<int>();
        var both = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        client.ViewerCountChanged += (_, count) =>
        {
            lock (counts)
            {
                counts.Add(count);
                if (counts.Count == 2)
                {
                    both.TrySetResult();
                }
            }
        };
        client.ViewerCount.Should().BeNull("no count is known before the server sends one");

        await client.StartAsync();
        await both.Task.WaitAsync(TimeSpan.FromSeconds(10));

        counts.Should().Equal(3, 0);
        client.ViewerCount.Should().Be(0);
        client.RenderingEnabled.Should().BeTrue();
        client.ControlConnectionState.Should().Be(Microsoft.AspNetCore.SignalR.Client.HubConnectionState.Connected, "an unknown method does not break the connection");
    }

    public sealed class StandInFrameHub : Hub;

    public sealed class StandInControlHub : Hub
    {
        public override async Task OnConnectedAsync()
        {
            await Clients.Caller.SendAsync(ControlHubContract.SetRenderState, true);
            await Clients.Caller.SendAsync("SomethingNew", 99);
            await Clients.Caller.SendAsync(ControlHubContract.ViewerCount, 3);
            await Clients.Caller.SendAsync(ControlHubContract.ViewerCount, 0);
        }
    }
}
