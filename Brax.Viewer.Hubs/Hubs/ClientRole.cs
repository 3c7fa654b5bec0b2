using System.Diagnostics.CodeAnalysis;
using Brax.Viewer.Client;
using Microsoft.AspNetCore.Http;

namespace Brax.Viewer.Hubs.Hubs;

/// <summary>Who a connection is, read from its query string: the run it belongs to and whether it streams.</summary>
internal readonly record struct ClientRole(string Run, bool IsStreamer)
{
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
}

/// <summary>SignalR group names: membership is per run.</summary>
internal static class HubGroups
{
    public static string FrameViewers(string run) => "frame-viewers:" + run;

    public static string Control(string run) => "control:" + run;
}
