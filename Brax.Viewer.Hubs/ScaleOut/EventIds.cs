namespace Brax.Viewer.Hubs.ScaleOut;

/// <summary>Event ids of scale-out on Redis, 1400–1499 (the ranges are listed on the raw shim's <c>EventIds</c>).</summary>
internal static class EventIds
{
    // The shared connection.
    public const int RedisConnected = 1400;
    public const int RedisNotConnected = 1401;
    public const int RedisConnectionLost = 1402;
    public const int RedisConnectionRestored = 1403;

    // The frame backplane.
    public const int FramePublishFailed = 1410;
    public const int FrameSubscribeFailed = 1411;
    public const int FrameMessageIgnored = 1412;
    public const int FrameMessageFailed = 1413;

    // The control hub's outage-tolerant backplane.
    public const int BackplaneFailed = 1420;

    // Values shared through Redis.
    public const int SharedValueReadFailed = 1430;
    public const int SharedValueWriteDeferred = 1431;
    public const int SharedValueNotifyFailed = 1432;

    // Viewer counts across instances.
    public const int ViewerCountReadFailed = 1440;
    public const int ViewerCountWriteFailed = 1441;

    // Viewers and streamers of each run across instances.
    public const int RunClientCountReadFailed = 1442;
    public const int RunClientCountWriteFailed = 1443;

    // Scenes in Redis.
    public const int SceneStoreDeferred = 1450;
}
