namespace Brax.Viewer.Client;

/// <summary>What a <see cref="BraxViewerClient"/> does on the frame hub.</summary>
public enum BraxViewerRole
{
    /// <summary>Receives every frame of its run (<see cref="BraxViewerClient.FrameReceived"/>).</summary>
    Viewer,

    /// <summary>Sends frames to its run (<see cref="BraxViewerClient.SendFrameAsync"/>); receives none.</summary>
    Streamer,
}
