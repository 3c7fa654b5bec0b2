namespace Brax.Viewer.Hubs.Access;

/// <summary>Event ids of access control, 1600–1699 (the ranges are listed on the raw shim's <c>EventIds</c>).</summary>
internal static class EventIds
{
    public const int KeyRefused = 1600;
    public const int OriginRefused = 1601;
}
