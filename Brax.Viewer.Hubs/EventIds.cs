namespace Brax.Viewer.Hubs;

/// <summary>Event ids of the hubs, 1200–1299 (the ranges are listed on the raw shim's <c>EventIds</c>).</summary>
internal static class EventIds
{
    public const int ClientCallRefused = 1200;
    public const int HubMethodFailed = 1201;
    public const int ConnectionRefused = 1210;
    public const int ToggleDropped = 1211;
}
