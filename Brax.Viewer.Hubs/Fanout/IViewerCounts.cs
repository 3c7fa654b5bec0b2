namespace Brax.Viewer.Hubs.Fanout;

/// <summary>
/// How many viewers each group has: on this server alone, or on every instance when scaled out.
/// </summary>
public interface IViewerCounts
{
    /// <summary>Raised with a group whose number of viewers may have changed, here or on another instance.</summary>
    event Action<string>? Changed;

    /// <summary>The viewers of <paramref name="group"/> on every instance.</summary>
    ValueTask<int> CountAsync(string group, CancellationToken cancellationToken = default);
}
