using System.Diagnostics;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using Brax.Viewer.Client;
using Brax.Viewer.LoadGen.Hosting;
using Brax.Viewer.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;

namespace Brax.Viewer.Tests;

/// <summary>
/// SIGTERM, as App Service and every orchestrator send it: the server stops taking connections,
/// closes raw sockets with 1001, tells SignalR clients with a close message, and exits within its
/// shutdown timeout even when a client never answers the close handshake.
/// </summary>
public sealed class GracefulShutdownTests
{
    private static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Sigterm_closes_every_client_properly_and_exits_in_time_even_when_a_client_never_answers()
    {
        await using var server = await ServerProcess.StartAsync(["--urls", "http://127.0.0.1:0", $"--Viewer:ShutdownTimeout={ShutdownTimeout:c}"]);
        using var silent = await StalledWebSocket.ConnectAsync(server.WebSocket("ws/frame"));
        await using var polite = await RawClient.ConnectAsync(server.WebSocket("ws/control"));
        (await polite.ReceiveAsync()).Should().Contain("set_render_state");
        await using var signalR = new HubConnectionBuilder().WithUrl(server.Http(FrameHubContract.Path)).Build();
        var closed = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        signalR.Closed += error =>
        {
            closed.TrySetResult(error);
            return Task.CompletedTask;
        };
        await signalR.StartAsync();
        using var http = new HttpClient();
        await Eventually.HoldsAsync(
            async () => (await http.GetFromJsonAsync<JsonElement>(server.Http("api/diagnostics"))).GetProperty("frame_viewers").GetInt64() == 2,
            "both viewers are connected");

        var stopping = Stopwatch.StartNew();
        using (var kill = Process.Start("kill", ["-TERM", server.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        using var process = Process.GetProcessById(server.Pid);
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
        stopping.Stop();

        stopping.Elapsed.Should().BeLessThan(ShutdownTimeout + TimeSpan.FromSeconds(4), "a client that never answers must not hold the stop beyond the shutdown timeout");
        await polite.Closed.WaitAsync(TimeSpan.FromSeconds(5));
        polite.CloseStatus.Should().Be(WebSocketCloseStatus.EndpointUnavailable, "raw clients are told the server is going away (1001)");
        var reason = await closed.Task.WaitAsync(TimeSpan.FromSeconds(5));
        reason.Should().NotBeNull().And.Subject.As<Exception>().Message.Should().Contain("shutting down", "SignalR clients get a close message, not a broken connection");
    }
}
