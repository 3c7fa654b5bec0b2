namespace Brax.Viewer.Hubs.State;

/// <summary>Where the render toggle of each run lives: in memory for one server, in Redis when scaled out.</summary>
public interface IRenderStateStore
{
    /// <summary>
    /// Raised with a run whose toggle changed out of sight of some clients (a toggle taken on another
    /// instance while Redis was unreachable): every control client of the run must hear the stored state.
    /// </summary>
    event Func<string, Task>? ChangedElsewhere;

    /// <summary>The stored toggle of <paramref name="run"/>; rendering is on until someone turns it off.</summary>
    ValueTask<bool> GetAsync(string run, CancellationToken cancellationToken = default);

    /// <summary>Stores the toggle of <paramref name="run"/>.</summary>
    ValueTask SetAsync(string run, bool enabled, CancellationToken cancellationToken = default);
}
