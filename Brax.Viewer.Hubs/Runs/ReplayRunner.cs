using System.Collections.Concurrent;
using Brax.Viewer.Client;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Brax.Viewer.Hubs.Runs;

/// <summary>
/// Streams recorded frames into a run as if a streamer sent them: each is a group send of the frame
/// hub, so this server's viewers, the other instances, the newest-frame store and the run's history
/// all see it. Frames go at the pace they were recorded at (the gaps between their times), divided
/// by the speed, on a schedule from the start so waits never add up. One replay per run at a time;
/// replays end when the server begins to stop, without holding the stop up.
/// </summary>
public sealed partial class ReplayRunner : IDisposable
{
    /// <summary>The slowest replay speed.</summary>
    public const double MinSpeed = 0.1;

    /// <summary>The fastest replay speed.</summary>
    public const double MaxSpeed = 16;

    private readonly ConcurrentDictionary<string, Replay> _replays = new(StringComparer.Ordinal);
    private readonly IHubContext<FrameHub> _frames;
    private readonly TimeProvider _time;
    private readonly ILogger<ReplayRunner> _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly CancellationTokenRegistration _stoppingRegistration;

    internal ReplayRunner(IHubContext<FrameHub> frames, TimeProvider time, IHostApplicationLifetime lifetime, ILogger<ReplayRunner> logger)
    {
        _frames = frames;
        _time = time;
        _logger = logger;
        _stoppingRegistration = lifetime.ApplicationStopping.Register(_stopping.Cancel);
    }

    /// <summary>The runs being replayed into.</summary>
    public IReadOnlyCollection<string> ReplayingRuns => [.. _replays.Keys];

    /// <summary>How long replaying <paramref name="frames"/> at <paramref name="speed"/> takes: the span of their times over the speed.</summary>
    public static TimeSpan DurationOf(IReadOnlyList<RecordedFrame> frames, double speed)
    {
        ArgumentNullException.ThrowIfNull(frames);
        return frames.Count == 0 ? TimeSpan.Zero : TimeSpan.FromMilliseconds((frames[^1].TimeMs - frames[0].TimeMs) / speed);
    }

    /// <summary>Whether a replay into <paramref name="run"/> is running.</summary>
    public bool IsReplaying(string run) => _replays.ContainsKey(run);

    /// <summary>
    /// Starts replaying <paramref name="frames"/> (in time order) into <paramref name="run"/> at
    /// <paramref name="speed"/> (<see cref="MinSpeed"/> to <see cref="MaxSpeed"/>) and returns at once.
    /// </summary>
    public ReplayStartResult TryStart(string run, IReadOnlyList<RecordedFrame> frames, double speed)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(frames);
        ArgumentOutOfRangeException.ThrowIfLessThan(speed, MinSpeed);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(speed, MaxSpeed);
        if (_stopping.IsCancellationRequested)
        {
            return ReplayStartResult.ShuttingDown;
        }

        var replay = new Replay(_stopping.Token);
        if (!_replays.TryAdd(run, replay))
        {
            replay.End();
            return ReplayStartResult.AlreadyReplaying;
        }

        var duration = DurationOf(frames, speed);
        Log.Started(_logger, run, frames.Count, speed, (long)duration.TotalMilliseconds);
        _ = Task.Run(() => RunAsync(run, replay, frames, speed));
        return ReplayStartResult.Started;
    }

    /// <summary>Cancels the replay into <paramref name="run"/>; false when none runs. A new one may start at once.</summary>
    public bool Cancel(string run)
    {
        if (!_replays.TryRemove(run, out var replay))
        {
            return false;
        }

        replay.Cancel();
        return true;
    }

    /// <summary>Cancels every replay.</summary>
    public void Dispose()
    {
        _stoppingRegistration.Dispose();
        _stopping.Cancel();
        _stopping.Dispose();
    }

    private async Task RunAsync(string run, Replay replay, IReadOnlyList<RecordedFrame> frames, double speed)
    {
        var viewers = _frames.Clients.Group(HubGroups.FrameViewers(run));
        var started = _time.GetTimestamp();
        var sent = 0;
        try
        {
            foreach (var recorded in frames)
            {
                var due = TimeSpan.FromMilliseconds((recorded.TimeMs - frames[0].TimeMs) / speed) - _time.GetElapsedTime(started);
                if (due > TimeSpan.Zero)
                {
                    await Task.Delay(due, _time, replay.Token);
                }

                replay.Token.ThrowIfCancellationRequested();
                await viewers.SendAsync(FrameHubContract.ReceiveFrame, recorded.Frame, replay.Token);
                sent++;
            }

            var elapsed = _time.GetElapsedTime(started);
            Log.Finished(_logger, run, sent, (long)elapsed.TotalMilliseconds);
        }
        catch (OperationCanceledException) when (replay.Token.IsCancellationRequested)
        {
            Log.Cancelled(_logger, run, sent, frames.Count);
        }
        catch (Exception e)
        {
            Log.Failed(_logger, run, sent, frames.Count, e);
        }
        finally
        {
            _replays.TryRemove(new KeyValuePair<string, Replay>(run, replay));
            replay.End();
        }
    }

    /// <summary>One replay's cancellation, which its canceller and its own end may race to use.</summary>
    private sealed class Replay
    {
        private readonly Lock _gate = new();
        private readonly CancellationTokenSource _cancel;
        private bool _ended;

        public Replay(CancellationToken stopping)
        {
            _cancel = CancellationTokenSource.CreateLinkedTokenSource(stopping);

            // Taken now: the token stays readable after the source is disposed, the source's property does not.
            Token = _cancel.Token;
        }

        public CancellationToken Token { get; }

        public void Cancel()
        {
            lock (_gate)
            {
                if (!_ended)
                {
                    _cancel.Cancel();
                }
            }
        }

        public void End()
        {
            lock (_gate)
            {
                _ended = true;
                _cancel.Dispose();
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.ReplayStarted, EventName = nameof(EventIds.ReplayStarted), Level = LogLevel.Information, Message = "Replaying {Frames} frames into run {Run} at speed {Speed}, over {DurationMs} ms.")]
        public static partial void Started(ILogger logger, string run, int frames, double speed, long durationMs);

        [LoggerMessage(EventId = EventIds.ReplayFinished, EventName = nameof(EventIds.ReplayFinished), Level = LogLevel.Information, Message = "Replay into run {Run} finished: {Frames} frames in {ElapsedMs} ms.")]
        public static partial void Finished(ILogger logger, string run, int frames, long elapsedMs);

        [LoggerMessage(EventId = EventIds.ReplayCancelled, EventName = nameof(EventIds.ReplayCancelled), Level = LogLevel.Information, Message = "Replay into run {Run} cancelled after {Sent} of {Frames} frames.")]
        public static partial void Cancelled(ILogger logger, string run, int sent, int frames);

        [LoggerMessage(EventId = EventIds.ReplayFailed, EventName = nameof(EventIds.ReplayFailed), Level = LogLevel.Error, Message = "Replay into run {Run} failed after {Sent} of {Frames} frames.")]
        public static partial void Failed(ILogger logger, string run, int sent, int frames, Exception exception);
    }
}
