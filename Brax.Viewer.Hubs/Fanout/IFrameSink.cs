using Brax.Viewer.Client;

namespace Brax.Viewer.Hubs.Fanout;

/// <summary>
/// Somewhere a frame goes besides this server's viewers: the store of newest frames, and the other
/// instances when scaled out. <see cref="FanoutHubLifetimeManager{THub}"/> serves its own viewers and
/// hands every frame sent to a group to each sink, once per frame, never per viewer.
/// </summary>
internal interface IFrameSink
{
    /// <summary>
    /// Takes a frame sent to <paramref name="group"/>. Must return at once without throwing: it runs
    /// on the streamer's hub invocation, and no sink may slow or fail the streamer.
    /// </summary>
    void Publish(string group, Frame frame);
}
