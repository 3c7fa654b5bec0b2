using System.Diagnostics.CodeAnalysis;
using Brax.Viewer.Client;
using Microsoft.AspNetCore.Http;

namespace Brax.Viewer.Hubs.Hubs;

/// <summary>Who a connection is, read from its query string: the run it belongs to and whether it streams.</summary>
internal readonly record struct ClientRole(string Run, bool IsStreamer)
{
    public static bool TryParse(IQueryCollection query, out ClientRole role, [NotNullWhen(false)] out string? error)
    {
        var run = query[RunContract.Query].ToString();
        if (run.Length == 0)
        {
            run = RunContract.DefaultRun;
        }
        else if (!RunContract.IsValidName(run))
        {
            role = default;
            error = $"'{RunContract.Query}' must be 1 to {RunContract.MaxLength} of A-Z a-z 0-9 _ - .";
            return false;
        }

        // The original server parsed is_streamer as a FastAPI bool, which takes all of these.
        var streamer = query[FrameHubContract.StreamerQuery].ToString();
        var isStreamer = streamer.Equals("true", StringComparison.OrdinalIgnoreCase)
            || streamer is "1"
            || streamer.Equals("yes", StringComparison.OrdinalIgnoreCase)
            || streamer.Equals("on", StringComparison.OrdinalIgnoreCase);

        role = new ClientRole(run, isStreamer);
        error = null;
        return true;
    }
}

/// <summary>SignalR group names: membership is per run.</summary>
internal static class HubGroups
{
    public static string FrameViewers(string run) => "frame-viewers:" + run;

    public static string Control(string run) => "control:" + run;
}
