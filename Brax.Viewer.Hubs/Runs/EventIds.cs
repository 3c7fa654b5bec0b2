namespace Brax.Viewer.Hubs.Runs;

/// <summary>Event ids of the runs, 1700–1799 (the ranges are listed on the raw shim's <c>EventIds</c>).</summary>
internal static class EventIds
{
    // The run directory, 1700–1749.
    public const int RunFramesForgotten = 1700;
    public const int RunSweepFailed = 1701;
}
