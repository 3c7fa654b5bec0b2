using Brax.Viewer.Client;
using Brax.Viewer.Server.Startup;
using Microsoft.Extensions.Options;

namespace Brax.Viewer.Server.Scenes;

/// <summary>Loads <c>--system FILE</c> for the default run before the server takes requests; a bad file stops the start.</summary>
internal sealed class SystemFileLoader(SceneLoader loader, IOptions<SceneOptions> options) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var path = options.Value.SystemFile!;
        byte[] json;
        try
        {
            json = await File.ReadAllBytesAsync(path, cancellationToken);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new StartupException($"--system {path}: no such file", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StartupException($"--system {path}: cannot be read ({e.Message.TrimEnd('.')})", e);
        }

        var result = await loader.LoadAsync(RunContract.DefaultRun, json, null, cancellationToken);
        if (!result.IsLoaded)
        {
            throw new StartupException($"--system {path}: {result.Error}");
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
