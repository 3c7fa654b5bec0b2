namespace Brax.Viewer.Hubs;

/// <summary>SignalR group names: membership is per run.</summary>
internal static class HubGroups
{
    private const string FrameViewersPrefix = "frame-viewers:";

    public static string FrameViewers(string run) => FrameViewersPrefix + run;

    /// <summary>Whether <paramref name="group"/> is a run's viewer group; unlike <see cref="TryRunOfFrameViewers"/>, allocates nothing.</summary>
    public static bool IsFrameViewers(string group) => group.StartsWith(FrameViewersPrefix, StringComparison.Ordinal);

    /// <summary>The run whose viewer group <paramref name="group"/> is, if it is one.</summary>
    public static bool TryRunOfFrameViewers(string group, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? run)
    {
        run = group.StartsWith(FrameViewersPrefix, StringComparison.Ordinal) ? group[FrameViewersPrefix.Length..] : null;
        return run is not null;
    }

    public static string Control(string run) => "control:" + run;
}
