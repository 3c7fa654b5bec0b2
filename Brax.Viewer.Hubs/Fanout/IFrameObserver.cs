using Brax.Viewer.Client;

namespace Brax.Viewer.Hubs.Fanout;

/// <summary>
/// Sees every frame offered to a group on this server, whether a streamer connected here sent it or
/// another instance relayed it (unlike an <see cref="IFrameSink"/>, which takes only this server's
/// streamers' frames). What a server knows about a run's frames (its rate, its history) comes from
/// here, so every instance knows the same.
/// </summary>
internal interface IFrameObserver
{
    /// <summary>
    /// Takes a frame offered to <paramref name="group"/>. Runs on the publishing thread before any
    /// viewer is served: it must return at once, without throwing, and keep the frame itself rather
    /// than a copy.
    /// </summary>
    void Observe(string group, Frame frame);
}
