using Brax.Viewer.Hubs.Diagnostics;
using Brax.Viewer.Hubs.Fanout;

namespace Brax.Viewer.Tests.Infrastructure;

/// <summary>Joining a group happens on the server after the client's connect returns: tests wait for it.</summary>
public static class ServerWaits
{
    public static Task ViewersJoinedAsync(this ViewerTestServer server, int count) =>
        Eventually.HoldsAsync(() => server.GetRequiredService<HubDiagnostics>().ViewerMemberships == count, $"{count} viewers have joined");

    public static Task StreamersConnectedAsync(this ViewerTestServer server, int count) =>
        Eventually.HoldsAsync(() => server.GetRequiredService<HubDiagnostics>().Streamers == count, $"{count} streamers are connected");

    public static Task ControlClientsConnectedAsync(this ViewerTestServer server, int count) =>
        Eventually.HoldsAsync(() => server.GetRequiredService<HubDiagnostics>().ControlClients == count, $"{count} control clients are connected");
}
