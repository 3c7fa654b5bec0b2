namespace Brax.Viewer.Hubs.Runs;

/// <summary>One run as the run directory lists it.</summary>
/// <param name="Name">The run's name.</param>
/// <param name="Viewers">Frame viewers of the run (raw and SignalR) on every instance.</param>
/// <param name="Streamers">Streamers of the run (raw and SignalR) on every instance.</param>
/// <param name="FramesPerSecond">Frames of the run over the last <see cref="RunDirectory.StatisticsWindow"/>, per second; 0 when none.</param>
/// <param name="BytesPerFrame">Mean size in bytes of those frames, rounded; 0 when none.</param>
/// <param name="HasScene">Whether a scene is loaded for the run.</param>
/// <param name="LastFrameUnixMs">Server time of the newest frame of the run, Unix milliseconds; <see langword="null"/> when none was seen.</param>
/// <param name="History">The frames of the run this instance's history holds (<see cref="FrameHistory"/>).</param>
/// <param name="Replaying">Whether a replay into the run runs on this instance (<see cref="ReplayRunner"/>).</param>
public sealed record RunSummary(string Name, int Viewers, int Streamers, double FramesPerSecond, long BytesPerFrame, bool HasScene, long? LastFrameUnixMs, FrameHistorySize History, bool Replaying);
