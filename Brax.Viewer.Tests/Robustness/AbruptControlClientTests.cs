using Brax.Viewer.Hubs.Diagnostics;
using Brax.Viewer.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace Brax.Viewer.Tests.Robustness;

/// <summary>
/// A raw control client that sends a toggle and vanishes at once, while the toggle is still being
/// told to a crowded run: its going away cancels the call, which is the client's doing, not a
/// server error. Found by the soak, where it logged "ControlHub.ToggleRender failed" at Error.
/// </summary>
public sealed class AbruptControlClientTests
{
    [Fact]
    public async Task A_toggle_cut_short_by_its_sender_vanishing_is_not_logged_as_a_server_error()
    {
        var logs = new CapturingLoggerProvider();
        await using var server = await ViewerTestServer.StartAsync(configure: builder => builder.Logging.AddProvider(logs));
        var diagnostics = server.GetRequiredService<HubDiagnostics>();
        var listeners = new List<RawClient>();
        for (var i = 0; i < 100; i++)
        {
            listeners.Add(await RawClient.ConnectAsync(server.WebSocket("ws/control")));
        }

        await server.ControlClientsConnectedAsync(100);
        // Four clients at a time, so toggles overlap and each is still being told when its sender goes.
        await Task.WhenAll(Enumerable.Range(0, 4).Select(worker => Task.Run(async () =>
        {
            for (var i = 0; i < 150; i++)
            {
                var toggler = await RawClient.ConnectAsync(server.WebSocket("ws/control"));
                await toggler.SendAsync($$"""{"type":"toggle_render","enabled":{{(i % 2 == 0 ? "true" : "false")}}}""");
                toggler.Socket.Abort();
                toggler.Socket.Dispose();
            }
        })));

        await server.ControlClientsConnectedAsync(100);
        foreach (var listener in listeners)
        {
            await listener.DisposeAsync();
        }

        await Eventually.HoldsAsync(() => diagnostics.ControlClients == 0, "every control client is gone");
        logs.Entries.Where(e => e.Level >= LogLevel.Error).Select(e => $"{e.Category}: {e.Message}").Should().BeEmpty("a client that leaves mid-call is not a server error");
    }
}
