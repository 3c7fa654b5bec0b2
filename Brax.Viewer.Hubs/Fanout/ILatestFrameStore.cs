using Brax.Viewer.Client;

namespace Brax.Viewer.Hubs.Fanout;

/// <summary>
/// The newest frame sent to each viewer group, so a viewer that joins late can be shown the current
/// pose at once: in this process for one server, in Redis (read by every instance) when scaled out.
/// It takes frames as an <see cref="IFrameSink"/>.
/// </summary>
internal interface ILatestFrameStore : IFrameSink
{
    /// <summary>The newest frame sent to <paramref name="group"/>, or null when none was (or it cannot be read now).</summary>
    ValueTask<Frame?> GetAsync(string group, CancellationToken cancellationToken = default);
}
