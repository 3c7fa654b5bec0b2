using System.Net.WebSockets;
using Brax.Viewer.Client;
using Brax.Viewer.Hubs.Access;
using Brax.Viewer.Hubs.Diagnostics;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Brax.Viewer.Hubs.RawShim;

/// <summary>
/// A documented raw WebSocket endpoint: the edge where a plain socket is checked, accepted and
/// handed to its hub as an ordinary hub connection speaking <see cref="ProtocolName"/>.
/// </summary>
internal sealed record RawEndpoint(string Path, string ProtocolName, long MaxMessageBytes, Func<ClientRole, bool> ForwardsInput)
{
    /// <summary>Serves one request on this endpoint with the hub <typeparamref name="THub"/>.</summary>
    public async Task HandleAsync<THub>(HttpContext http) where THub : Hub
    {
        if (!http.WebSockets.IsWebSocketRequest)
        {
            await RefuseAsync(http, $"{Path} is a WebSocket endpoint: connect with a WebSocket client.");
            return;
        }

        if (!ClientRole.TryParse(http.Request.Query, out var role, out var error))
        {
            await RefuseAsync(http, error);
            return;
        }

        var services = http.RequestServices;
        var stream = await WebSocketUpgrade.AcceptAsync(http);

        // Keep-alive comes from the shared sweep, not from a timer in each socket.
        using var socket = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.Zero });

        var options = services.GetRequiredService<IOptions<ViewerOptions>>().Value;
        var forwardsInput = ForwardsInput(role);

        // Viewers, the connections whose input is not forwarded, are the ones frames go out to.
        var directSocket = !forwardsInput && options.DirectSocketWrites ? WebSocketUpgrade.DirectSocket(http) : null;
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger<RawWebSocketSession>();
        var session = new RawWebSocketSession(http, socket, stream, this, forwardsInput, logger, services.GetRequiredService<BadInputLog>());
        await session.RunAsync(
            services.GetRequiredService<HubConnectionHandler<THub>>(),
            services.GetRequiredService<HubDiagnostics>(),
            services.GetRequiredService<KeepAliveSweep>(),
            directSocket,
            options.ShutdownTimeout / 2,
            services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping);
    }

    private static Task RefuseAsync(HttpContext http, string message)
    {
        http.Response.StatusCode = StatusCodes.Status400BadRequest;
        return http.Response.WriteAsJsonAsync(new ErrorBody(message));
    }
}
