namespace Brax.Viewer.Server.Api;

/// <summary>Event ids of the HTTP API, 2000–2099 (the server's ranges are listed on the scenes' <c>EventIds</c>).</summary>
internal static class EventIds
{
    public const int BodyTooLarge = 2000;
}
