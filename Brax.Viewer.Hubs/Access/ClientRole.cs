using System.Diagnostics.CodeAnalysis;
using Brax.Viewer.Client;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.SignalR;

namespace Brax.Viewer.Hubs.Access;

/// <summary>
/// Who a connection is, read from its query string: the run it belongs to and whether it streams.
/// A hub reads it once, when the connection arrives, and keeps it with the connection.
/// </summary>
internal readonly record struct ClientRole(string Run, bool IsStreamer)
{
    private static readonly object ItemKey = new();

    public static bool TryParse(IQueryCollection query, out ClientRole role, [NotNullWhen(false)] out string? error)
    {
        if (!RunContract.TryResolve(query[RunContract.Query].ToString(), out var run, out error))
        {
            role = default;
            return false;
        }

        // The original server parsed is_streamer as a FastAPI bool, which takes all of these.
        var streamer = query[FrameHubContract.StreamerQuery].ToString();
        var isStreamer = streamer.Equals("true", StringComparison.OrdinalIgnoreCase)
            || streamer is "1"
            || streamer.Equals("yes", StringComparison.OrdinalIgnoreCase)
            || streamer.Equals("on", StringComparison.OrdinalIgnoreCase);

        role = new ClientRole(run, isStreamer);
        return true;
    }

    /// <summary>Reads the role of a connection that has just arrived and keeps it with the connection.</summary>
    public static ClientRole Establish(HubCallerContext context)
    {
        var http = context.GetHttpContext() ?? throw new HubException("The connection has no HTTP request to read its role from.");
        if (!TryParse(http.Request.Query, out var role, out var error))
        {
            throw new HubException(error);
        }

        context.Items[ItemKey] = role;
        return role;
    }

    /// <summary>The role kept by <see cref="Establish"/>; none when the connection was refused before it had one.</summary>
    public static bool TryGet(HubCallerContext context, [NotNullWhen(true)] out ClientRole? role)
    {
        role = context.Items.TryGetValue(ItemKey, out var value) ? (ClientRole)value! : null;
        return role is not null;
    }

    /// <summary>The role kept by <see cref="Establish"/>.</summary>
    public static ClientRole Of(HubCallerContext context) =>
        TryGet(context, out var role) ? role.Value : throw new HubException("The connection has no role.");
}
