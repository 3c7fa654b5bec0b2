using Brax.Viewer.Hubs.Fanout;
using Brax.Viewer.Hubs.State;
using Microsoft.Extensions.Options;

namespace Brax.Viewer.Hubs.Runs;

/// <summary>
/// The runs a server knows of: every run with a viewer or a streamer on any instance, a scene, a
/// frame within <see cref="FanoutOptions.IdleRunTimeout"/>, frames in its history or a replay
/// running into it. Each is put together when asked, from the client counts, the scene store, the
/// frame statistics, the history and the replays; nothing is kept here.
/// </summary>
public sealed class RunDirectory
{
    private readonly IRunClientCounts _clients;
    private readonly RunFrameStatistics _frames;
    private readonly ISceneStore _scenes;
    private readonly FrameHistory _history;
    private readonly ReplayRunner _replays;
    private readonly TimeSpan _idle;

    internal RunDirectory(IRunClientCounts clients, RunFrameStatistics frames, ISceneStore scenes, FrameHistory history, ReplayRunner replays, IOptions<FanoutOptions> options)
    {
        _clients = clients;
        _frames = frames;
        _scenes = scenes;
        _history = history;
        _replays = replays;
        _idle = options.Value.IdleRunTimeout;
    }

    /// <summary>How far back <see cref="RunSummary.FramesPerSecond"/> and <see cref="RunSummary.BytesPerFrame"/> look.</summary>
    public static TimeSpan StatisticsWindow => FrameRate.Window;

    /// <summary>Every run known, sorted by name (ordinal).</summary>
    public async Task<IReadOnlyList<RunSummary>> ListAsync(CancellationToken cancellationToken = default)
    {
        var clients = await _clients.CountAllAsync(cancellationToken);
        var scenes = await _scenes.ListRunsAsync(cancellationToken);
        var frames = _frames.ReadAll();

        var names = new SortedSet<string>(clients.Keys, StringComparer.Ordinal);
        names.UnionWith(scenes);
        foreach (var (run, statistics) in frames)
        {
            if (statistics.SinceLastFrame < _idle)
            {
                names.Add(run);
            }
        }

        names.UnionWith(_history.Runs);
        names.UnionWith(_replays.ReplayingRuns);
        var sceneRuns = new HashSet<string>(scenes, StringComparer.Ordinal);
        return [.. names.Select(run => Summarize(run, clients.GetValueOrDefault(run), sceneRuns.Contains(run), frames.TryGetValue(run, out var seen) ? seen : null))];
    }

    /// <summary>The run named <paramref name="run"/>, or <see langword="null"/> when it is not known.</summary>
    public async Task<RunSummary?> FindAsync(string run, CancellationToken cancellationToken = default)
    {
        var clients = (await _clients.CountAllAsync(cancellationToken)).GetValueOrDefault(run);
        var hasScene = (await _scenes.ListRunsAsync(cancellationToken)).Contains(run);
        FrameStatistics? frames = _frames.TryRead(run, out var seen) ? seen : null;
        var known = !clients.IsEmpty || hasScene || frames?.SinceLastFrame < _idle || _history.SizeOf(run).Frames > 0 || _replays.IsReplaying(run);
        return known ? Summarize(run, clients, hasScene, frames) : null;
    }

    private RunSummary Summarize(string run, RunClientCount clients, bool hasScene, FrameStatistics? frames) =>
        new(run, clients.Viewers, clients.Streamers, frames?.FramesPerSecond ?? 0, frames?.BytesPerFrame ?? 0, hasScene, frames?.LastFrameUnixMs, _history.SizeOf(run), _replays.IsReplaying(run));
}
