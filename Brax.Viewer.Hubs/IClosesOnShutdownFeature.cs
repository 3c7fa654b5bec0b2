namespace Brax.Viewer.Hubs;

/// <summary>
/// Marks a hub connection that tells its client itself when the server stops: a raw socket closes
/// with 1001, which its protocol has no message for. <see cref="ShutdownClosingHubLifetimeManager{THub}"/>
/// leaves such connections alone.
/// </summary>
internal interface IClosesOnShutdownFeature;
