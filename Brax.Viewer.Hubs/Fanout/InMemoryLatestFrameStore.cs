using System.Collections.Concurrent;
using Brax.Viewer.Client;

namespace Brax.Viewer.Hubs.Fanout;

/// <summary>The newest frame of each group of a single server: one reference per group, the frame itself shared with the fan-out.</summary>
internal sealed class InMemoryLatestFrameStore : ILatestFrameStore
{
    private readonly ConcurrentDictionary<string, Frame> _frames = new(StringComparer.Ordinal);

    public void Publish(string group, Frame frame) => _frames[group] = frame;

    public ValueTask<Frame?> GetAsync(string group, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(_frames.TryGetValue(group, out var frame) ? frame : null);
}
