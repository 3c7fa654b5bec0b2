using Brax.Viewer.Hubs.Fanout;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Brax.Viewer.Hubs.Runs;

/// <summary>
/// Forgets the frame statistics of runs that had no frame for <see cref="FanoutOptions.IdleRunTimeout"/>
/// and have no viewer or streamer on any instance. Anyone allowed to connect can name a run, so what
/// the server remembers of runs is bounded by the connections it admits and the runs streamed to
/// lately, never by every name ever used.
/// </summary>
internal sealed partial class IdleRunSweep : PeriodicPasses
{
    private readonly RunFrameStatistics _frames;
    private readonly IRunClientCounts _clients;
    private readonly ILogger<IdleRunSweep> _logger;
    private readonly TimeSpan _idle;

    public IdleRunSweep(RunFrameStatistics frames, IRunClientCounts clients, IOptions<FanoutOptions> options, TimeProvider time, ILogger<IdleRunSweep> logger)
        : base(time)
    {
        _frames = frames;
        _clients = clients;
        _logger = logger;
        _idle = options.Value.IdleRunTimeout;
    }

    // A few passes per timeout, so a run goes within 1.25 timeouts; at most one pass per 5 s for long timeouts.
    protected override TimeSpan Interval => TimeSpan.FromTicks(Math.Clamp(_idle.Ticks / 4, TimeSpan.TicksPerMillisecond * 50, TimeSpan.TicksPerSecond * 5));

    protected override async Task PassOnceAsync()
    {
        try
        {
            // A run with clients keeps its statistics however long its streamer pauses: it is listed anyway.
            var withClients = await _clients.CountAllAsync();
            foreach (var run in _frames.ForgetIdle(_idle, withClients.ContainsKey))
            {
                Log.RunFramesForgotten(_logger, run, _idle);
            }
        }
#pragma warning disable CA1031 // A failed pass must not end the sweep: the next one tries again.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.SweepFailed(_logger, ex);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.RunFramesForgotten, EventName = nameof(EventIds.RunFramesForgotten), Level = LogLevel.Debug, Message = "Forgot the frame statistics of run '{Run}': no frame for {IdleRunTimeout} and no client.")]
        public static partial void RunFramesForgotten(ILogger logger, string run, TimeSpan idleRunTimeout);

        [LoggerMessage(EventId = EventIds.RunSweepFailed, EventName = nameof(EventIds.RunSweepFailed), Level = LogLevel.Warning, Message = "Could not tell which runs have clients; idle runs are forgotten at the next pass.")]
        public static partial void SweepFailed(ILogger logger, Exception exception);
    }
}
