namespace Brax.Viewer.Server.Demo;

/// <summary>Event ids of the demo, 2200–2299 (the server's ranges are listed on the scenes' <c>EventIds</c>).</summary>
internal static class EventIds
{
    public const int DemoStreaming = 2200;
    public const int DemoStreamFailed = 2201;
    public const int DemoNoAddress = 2202;
}
