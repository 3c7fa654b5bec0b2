namespace Brax.Viewer.Hubs.Runs;

/// <summary>How much of each run's recent frames the server keeps, and how large a replayed recording may be (configuration section <c>Viewer</c>).</summary>
public sealed class HistoryOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "Viewer";

    /// <summary>
    /// How far back each run's history reaches: frames that arrived longer ago than this, on the
    /// server's clock, are dropped, so a run that stopped streaming drains. Zero keeps no history.
    /// Default 1 minute.
    /// </summary>
    public TimeSpan HistoryWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Bytes of frames the histories of all runs hold together; past it the oldest frames, of
    /// whichever run, are dropped first. Zero keeps no history. Default 256 MiB.
    /// </summary>
    public long HistoryMaxBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>Largest recording accepted by <c>POST /api/runs/{run}/replay</c>, in bytes of its body; larger ones get 413. Default 64 MiB.</summary>
    public long MaxReplayBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>Whether any history is kept.</summary>
    public bool IsHistoryEnabled => HistoryWindow > TimeSpan.Zero && HistoryMaxBytes > 0;

    internal IEnumerable<string> Validate()
    {
        if (HistoryWindow < TimeSpan.Zero || HistoryWindow > TimeSpan.FromDays(1))
        {
            yield return $"{SectionName}:{nameof(HistoryWindow)} must be 0 (no history) to one day (is {HistoryWindow}).";
        }

        if (HistoryMaxBytes < 0)
        {
            yield return $"{SectionName}:{nameof(HistoryMaxBytes)} must be 0 (no history) or more (is {HistoryMaxBytes}).";
        }

        if (MaxReplayBytes < 1)
        {
            yield return $"{SectionName}:{nameof(MaxReplayBytes)} must be positive (is {MaxReplayBytes}).";
        }
    }
}
