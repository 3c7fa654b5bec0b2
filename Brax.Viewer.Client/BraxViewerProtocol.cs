namespace Brax.Viewer.Client;

/// <summary>The SignalR hub protocol a <see cref="BraxViewerClient"/> speaks.</summary>
public enum BraxViewerProtocol
{
    /// <summary>SignalR's <c>json</c> protocol: a frame travels as its JSON text.</summary>
    Json,

    /// <summary>SignalR's <c>messagepack</c> protocol: a frame travels as a map, numbers as float64.</summary>
    MessagePack,
}
