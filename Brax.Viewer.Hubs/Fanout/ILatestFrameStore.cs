using Brax.Viewer.Client;

namespace Brax.Viewer.Hubs.Fanout;

/// <summary>
/// The newest frame of each environment sent to each viewer group, kept beyond this process (in
/// Redis when scaled out), so a viewer that joins on an instance that has not seen the group's
/// frames yet (it just started) is still shown the current pose at once. Each instance keeps its
/// own copy in <see cref="ViewerGroups"/>; this store is asked only when that copy is empty. It
/// takes frames as an <see cref="IFrameSink"/>.
/// </summary>
internal interface ILatestFrameStore : IFrameSink
{
    /// <summary>The newest frame of each environment sent to <paramref name="group"/>; empty when none was (or it cannot be read now).</summary>
    ValueTask<IReadOnlyList<Frame>> GetAsync(string group, CancellationToken cancellationToken = default);
}
