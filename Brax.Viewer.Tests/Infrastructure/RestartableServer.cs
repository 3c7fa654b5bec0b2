namespace Brax.Viewer.Tests.Infrastructure;

/// <summary>
/// A server without keys that a client library's test script may ask to stop and to start again on
/// the same port, to show that its client reconnects. The scripts ask with the words <c>stop</c> and
/// <c>start</c>, each answered once done; how the words travel depends on the script's runner.
/// </summary>
public sealed class RestartableServer : IAsyncDisposable
{
    private ViewerTestServer? _server;

    private RestartableServer(ViewerTestServer server)
    {
        _server = server;
        BaseUri = server.BaseUri;
    }

    /// <summary>http://127.0.0.1:PORT/, the same before and after a restart.</summary>
    public Uri BaseUri { get; }

    /// <summary>The address as the scripts take it, without the trailing slash.</summary>
    public string Url => BaseUri.ToString().TrimEnd('/');

    public static async Task<RestartableServer> StartAsync() => new(await ViewerTestServer.StartAsync());

    /// <summary>Carries out <c>stop</c> (only while running) or <c>start</c> (only while stopped); anything else throws.</summary>
    public async Task HandleAsync(string command)
    {
        switch (command)
        {
            case "stop" when _server is not null:
                await _server.DisposeAsync();
                _server = null;
                break;
            case "start" when _server is null:
                _server = await ViewerTestServer.StartAsync(new Dictionary<string, string?> { ["urls"] = $"http://127.0.0.1:{BaseUri.Port}" });
                break;
            default:
                throw new InvalidOperationException($"unknown or untimely request from a client test: '{command}' while the server is {(_server is null ? "stopped" : "running")}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
            _server = null;
        }
    }
}
