using System.Net.WebSockets;
using Brax.Viewer.Hubs.Diagnostics;
using Brax.Viewer.Hubs.Hubs;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

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
            await ErrorResponse.WriteAsync(http, StatusCodes.Status400BadRequest, $"{Path} is a WebSocket endpoint: connect with a WebSocket client.");
            return;
        }

        if (!ClientRole.TryParse(http.Request.Query, out var role, out var error))
        {
            await ErrorResponse.WriteAsync(http, StatusCodes.Status400BadRequest, error);
            return;
        }

        var services = http.RequestServices;
        var stream = await WebSocketUpgrade.AcceptAsync(http);

        // Keep-alive comes from the shared sweep, not from a timer in each socket.
        using var socket = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.Zero });

        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger<RawWebSocketSession>();
        var session = new RawWebSocketSession(http, socket, stream, this, ForwardsInput(role), logger);
        await session.RunAsync(
            services.GetRequiredService<HubConnectionHandler<THub>>(),
            services.GetRequiredService<HubDiagnostics>(),
            services.GetRequiredService<KeepAliveSweep>(),
            services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping);
    }
}

/// <summary>The JSON error body every failed request gets: <c>{"status":"error","message":…}</c>.</summary>
public static class ErrorResponse
{
    /// <summary>Writes <paramref name="message"/> as the JSON error body with <paramref name="statusCode"/>.</summary>
    public static Task WriteAsync(HttpContext http, int statusCode, string message)
    {
        ArgumentNullException.ThrowIfNull(http);
        http.Response.StatusCode = statusCode;
        return http.Response.WriteAsJsonAsync(new { status = "error", message });
    }

    /// <summary>The same body as an endpoint result.</summary>
    public static IResult Result(int statusCode, string message) =>
        Results.Json(new { status = "error", message }, statusCode: statusCode);
}
