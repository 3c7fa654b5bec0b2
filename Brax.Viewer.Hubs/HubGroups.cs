namespace Brax.Viewer.Hubs;

/// <summary>SignalR group names: membership is per run.</summary>
internal static class HubGroups
{
    public static string FrameViewers(string run) => "frame-viewers:" + run;

    public static string Control(string run) => "control:" + run;
}
