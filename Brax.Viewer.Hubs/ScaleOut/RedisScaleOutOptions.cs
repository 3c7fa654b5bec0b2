namespace Brax.Viewer.Hubs.ScaleOut;

/// <summary>
/// Scale-out on Redis (configuration section <c>Viewer:Redis</c>). Scale-out is on when the
/// connection string <c>ConnectionStrings:Redis</c> (environment <c>ConnectionStrings__Redis</c>) is set.
/// </summary>
public sealed class RedisScaleOutOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "Viewer:Redis";

    /// <summary>The name of the connection string that turns scale-out on.</summary>
    public const string ConnectionStringName = "Redis";

    /// <summary>
    /// Prefix of every channel and key this server uses, so several deployments can share one Redis.
    /// Every instance of one deployment must use the same prefix. Default <c>brax-viewer</c>.
    /// </summary>
    public string Prefix { get; set; } = "brax-viewer";

    /// <summary>
    /// How often at most the newest frame of a run is written to Redis for late joiners (the last
    /// frame of a burst is always written). Default 200 ms.
    /// </summary>
    public TimeSpan LatestFrameInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// How many bytes of frames may be on their way to Redis before further frames skip the other
    /// instances (local viewers are served regardless): Redis falling behind is treated like a slow
    /// viewer, never a growing queue. At least one frame is always let through. Default 16 MiB.
    /// </summary>
    public long MaxPublishBacklogBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>How long a single Redis command may take before the server falls back to its local state. Default 2 s.</summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(2);

    internal IEnumerable<string> Validate()
    {
        if (string.IsNullOrWhiteSpace(Prefix) || Prefix.Contains(' ', StringComparison.Ordinal))
        {
            yield return $"{SectionName}:{nameof(Prefix)} must be a non-empty word without spaces.";
        }

        if (MaxPublishBacklogBytes < 1)
        {
            yield return $"{SectionName}:{nameof(MaxPublishBacklogBytes)} must be positive.";
        }

        if (LatestFrameInterval < TimeSpan.Zero || CommandTimeout <= TimeSpan.Zero)
        {
            yield return $"{SectionName}:{nameof(LatestFrameInterval)} must not be negative and {nameof(CommandTimeout)} must be positive.";
        }
    }
}
