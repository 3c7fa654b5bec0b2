namespace Brax.Viewer.Hubs.ScaleOut;

/// <summary>
/// Carries frames between server instances. <see cref="Fanout.FrameHubLifetimeManager"/> serves its
/// own viewers directly and hands every group send here as well; an implementation delivers it to
/// the viewers of that group on every other instance. One copy per instance, never per viewer.
/// </summary>
internal interface IFrameBackplane
{
    /// <summary>
    /// Passes a group send on to the other instances. Must return at once without throwing: it
    /// runs on the streamer's hub invocation, and a backplane outage must not reach the streamer.
    /// </summary>
    void Publish(string group, string methodName, object?[] args);
}

/// <summary>A single server: nothing to pass on.</summary>
internal sealed class LocalFrameBackplane : IFrameBackplane
{
    public void Publish(string group, string methodName, object?[] args)
    {
    }
}
