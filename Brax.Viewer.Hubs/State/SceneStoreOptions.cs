namespace Brax.Viewer.Hubs.State;

/// <summary>
/// How many scenes the server keeps (configuration section <c>Viewer</c>). Scenes are kept per run
/// until replaced or deleted, so without a bound every new run name would cost memory for good.
/// A run's new scene replaces its old one, whose bytes then count no more.
/// </summary>
public sealed class SceneStoreOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "Viewer";

    /// <summary>Runs that may hold a scene at once; a scene for one more is refused. 0 turns the limit off. Default 64.</summary>
    public int MaxSceneRuns { get; set; } = 64;

    /// <summary>Bytes of all scenes held together; a scene that would pass it is refused. 0 turns the limit off. Default 256 MiB.</summary>
    public long MaxTotalSceneBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>
    /// Whether a scene of <paramref name="bytes"/> may be stored beside <paramref name="otherRuns"/>
    /// other runs' scenes of <paramref name="otherBytes"/> together (the run's own old scene not among them).
    /// </summary>
    public SceneStoreResult Admit(int otherRuns, long otherBytes, long bytes) =>
        MaxSceneRuns > 0 && otherRuns + 1 > MaxSceneRuns ? SceneStoreResult.TooManyRuns
        : MaxTotalSceneBytes > 0 && otherBytes + bytes > MaxTotalSceneBytes ? SceneStoreResult.TooManyBytes
        : SceneStoreResult.Stored;

    internal IEnumerable<string> Validate()
    {
        if (MaxSceneRuns < 0)
        {
            yield return $"{SectionName}:{nameof(MaxSceneRuns)} must be 0 (no limit) or more (is {MaxSceneRuns}).";
        }

        if (MaxTotalSceneBytes < 0)
        {
            yield return $"{SectionName}:{nameof(MaxTotalSceneBytes)} must be 0 (no limit) or more (is {MaxTotalSceneBytes}).";
        }
    }
}
