namespace Brax.Viewer.Hubs.Diagnostics;

/// <summary>Event ids of the diagnostics, 1500–1599 (the ranges are listed on the raw shim's <c>EventIds</c>).</summary>
internal static class EventIds
{
    public const int BadInputIgnored = 1500;
}
