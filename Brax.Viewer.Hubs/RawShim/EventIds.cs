namespace Brax.Viewer.Hubs.RawShim;

/// <summary>
/// Event ids of the raw WebSocket shim, 1000–1099. Each area of the project owns a range (Protocols
/// 1100, hubs 1200, Fanout 1300, ScaleOut 1400, Diagnostics 1500, Access 1600, the server's areas from 2000), so
/// an id names one message across the whole log.
/// </summary>
internal static class EventIds
{
    public const int SocketEnded = 1000;
    public const int HubRefused = 1001;
}
