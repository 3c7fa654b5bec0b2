namespace Brax.Viewer.Hubs.Access;

/// <summary>The roles a key grants: the streamer key grants both, the viewer key <see cref="Viewer"/>.</summary>
internal static class AccessRoles
{
    public const string Viewer = "viewer";

    public const string Streamer = "streamer";
}
