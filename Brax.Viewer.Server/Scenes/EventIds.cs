namespace Brax.Viewer.Server.Scenes;

/// <summary>
/// Event ids of the scenes, 2100–2199. The server's areas own ranges from 2000 (API 2000, scenes
/// 2100, demo 2200, viewer page 2300); the hubs library's are below 2000.
/// </summary>
internal static class EventIds
{
    public const int SceneLoaded = 2100;
    public const int SceneRefused = 2101;
    public const int SceneRefreshFailed = 2102;
    public const int SceneRefusedAtLimit = 2103;
    public const int SceneDeleted = 2104;
}
