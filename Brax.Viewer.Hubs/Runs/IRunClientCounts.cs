namespace Brax.Viewer.Hubs.Runs;

/// <summary>
/// The frame viewers and streamers of every run: on this server alone, or on every instance when
/// scaled out. Raw and SignalR clients count alike.
/// </summary>
internal interface IRunClientCounts
{
    /// <summary>Every run with at least one viewer or streamer, and how many of each.</summary>
    ValueTask<IReadOnlyDictionary<string, RunClientCount>> CountAllAsync(CancellationToken cancellationToken = default);
}
