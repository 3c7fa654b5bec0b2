namespace Brax.Viewer.Hubs.State;

/// <summary>Where the render toggle of each run lives: in memory for one server, in Redis when scaled out.</summary>
public interface IRenderStateStore
{
    /// <summary>The stored toggle of <paramref name="run"/>; rendering is on until someone turns it off.</summary>
    ValueTask<bool> GetAsync(string run, CancellationToken cancellationToken = default);

    /// <summary>Stores the toggle of <paramref name="run"/>.</summary>
    ValueTask SetAsync(string run, bool enabled, CancellationToken cancellationToken = default);
}
