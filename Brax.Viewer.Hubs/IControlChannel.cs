namespace Brax.Viewer.Hubs;

/// <summary>
/// The render toggle and scene notifications of one run, for code outside the hubs (HTTP API,
/// scene store). Every call reaches raw and SignalR control clients alike.
/// </summary>
public interface IControlChannel
{
    /// <summary>Whether rendering is on for <paramref name="run"/> (on until someone turns it off).</summary>
    ValueTask<bool> GetRenderingAsync(string run, CancellationToken cancellationToken = default);

    /// <summary>Stores the toggle and sends <c>set_render_state</c> / <c>SetRenderState</c> to every control client of the run.</summary>
    Task SetRenderingAsync(string run, bool enabled, CancellationToken cancellationToken = default);

    /// <summary>Sends <c>refresh_web</c> / <c>RefreshWeb()</c> to every control client of the run (the scene changed).</summary>
    Task RefreshWebAsync(string run, CancellationToken cancellationToken = default);
}
