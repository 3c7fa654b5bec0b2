namespace Brax.Viewer.Client;

/// <summary>Paths and method names of the control hub (<c>/hubs/control</c>).</summary>
public static class ControlHubContract
{
    /// <summary>The hub's path on the server.</summary>
    public const string Path = "/hubs/control";

    /// <summary>Client to server: <c>ToggleRender(bool enabled)</c>.</summary>
    public const string ToggleRender = nameof(ToggleRender);

    /// <summary>Server to client: <c>SetRenderState(bool enabled)</c>, on connect and after every toggle.</summary>
    public const string SetRenderState = nameof(SetRenderState);

    /// <summary>Server to client: <c>RefreshWeb()</c>, when the scene changes.</summary>
    public const string RefreshWeb = nameof(RefreshWeb);

    /// <summary>
    /// Server to client: <c>ViewerCount(int count)</c>, the number of viewers of the run, on connect
    /// and when it changes, when the server sends it (servers that do not simply never call it).
    /// </summary>
    public const string ViewerCount = nameof(ViewerCount);
}
