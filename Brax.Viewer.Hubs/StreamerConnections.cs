using System.Collections.Concurrent;

namespace Brax.Viewer.Hubs;

/// <summary>
/// How many streamers each run has on this server. Streamers belong to no group (they only send),
/// so the frame hub tells this tally when one arrives and leaves. A run leaves the tally with its
/// last streamer: names a client chose cost nothing once their connections are gone.
/// </summary>
internal sealed class StreamerConnections
{
    private readonly ConcurrentDictionary<string, int> _streamers = new(StringComparer.Ordinal);

    /// <summary>Raised with a run whose number of streamers on this server changed.</summary>
    public event Action<string>? Changed;

    /// <summary>The runs with at least one streamer on this server.</summary>
    public ICollection<string> Runs => _streamers.Keys;

    /// <summary>Streamers of <paramref name="run"/> on this server.</summary>
    public int CountOf(string run) => _streamers.TryGetValue(run, out var count) ? count : 0;

    public void Connected(string run)
    {
        _streamers.AddOrUpdate(run, 1, static (_, count) => count + 1);
        Changed?.Invoke(run);
    }

    public void Disconnected(string run)
    {
        while (_streamers.TryGetValue(run, out var count))
        {
            var removed = count <= 1
                ? _streamers.TryRemove(new KeyValuePair<string, int>(run, count))
                : _streamers.TryUpdate(run, count - 1, count);
            if (removed)
            {
                break;
            }
        }

        Changed?.Invoke(run);
    }
}
