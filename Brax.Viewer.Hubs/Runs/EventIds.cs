namespace Brax.Viewer.Hubs.Runs;

/// <summary>
/// Event ids of the runs, 1700–1799 (the ranges are listed on the raw shim's <c>EventIds</c>):
/// the run directory 1700–1749, history and replay 1750–1799.
/// </summary>
internal static class EventIds
{
    public const int RunFramesForgotten = 1700;
    public const int RunSweepFailed = 1701;

    public const int ReplayStarted = 1750;
    public const int ReplayFinished = 1751;
    public const int ReplayCancelled = 1752;
    public const int ReplayFailed = 1753;
}
