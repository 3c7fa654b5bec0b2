using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.SignalR;

namespace Brax.Viewer.Hubs.Hubs;

/// <summary>Reads a hub connection's <see cref="ClientRole"/> once, at connect, and keeps it with the connection.</summary>
internal static class HubConnectionRole
{
    private static readonly object Key = new();

    public static ClientRole Establish(HubCallerContext context)
    {
        var http = context.GetHttpContext() ?? throw new HubException("The connection has no HTTP request to read its role from.");
        if (!ClientRole.TryParse(http.Request.Query, out var role, out var error))
        {
            throw new HubException(error);
        }

        context.Items[Key] = role;
        return role;
    }

    public static bool TryGet(HubCallerContext context, [NotNullWhen(true)] out ClientRole? role)
    {
        role = context.Items.TryGetValue(Key, out var value) ? (ClientRole)value! : null;
        return role is not null;
    }

    public static ClientRole Get(HubCallerContext context) =>
        TryGet(context, out var role) ? role.Value : throw new HubException("The connection has no role.");
}
