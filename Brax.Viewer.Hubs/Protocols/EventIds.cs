namespace Brax.Viewer.Hubs.Protocols;

/// <summary>Event ids of the raw hub protocols, 1100–1199 (the ranges are listed on the raw shim's <c>EventIds</c>).</summary>
internal static class EventIds
{
    public const int MessageIgnored = 1100;
}
