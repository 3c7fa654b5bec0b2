namespace Brax.Viewer.Hubs.Fanout;

/// <summary>Event ids of the fan-out, 1300–1399 (the ranges are listed on the raw shim's <c>EventIds</c>).</summary>
internal static class EventIds
{
    public const int StalledViewerEvicted = 1300;
}
