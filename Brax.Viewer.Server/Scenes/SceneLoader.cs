using Brax.Viewer.Hubs;
using Brax.Viewer.Hubs.State;

namespace Brax.Viewer.Server.Scenes;

/// <summary>
/// The one way a scene gets in (HTTP upload, <c>--system FILE</c>, the demo): validate, store, then
/// tell every control client of the run so open pages rebuild without a reload.
/// </summary>
internal sealed partial class SceneLoader(ISceneStore store, IControlChannel control, ILogger<SceneLoader> logger)
{
    /// <summary>Validates and stores <paramref name="json"/> for <paramref name="run"/>; the store is unchanged when it is refused.</summary>
    public async Task<SceneValidationResult> LoadAsync(string run, ReadOnlyMemory<byte> json, int? numEnvs, CancellationToken cancellationToken)
    {
        var result = SceneValidator.Validate(json, numEnvs);
        if (!result.IsValid)
        {
            Log.SceneRefused(logger, run, result.Error!);
            return result;
        }

        await store.SetAsync(run, new StoredScene(json, result.Info!), cancellationToken);
        Log.SceneLoaded(logger, run, result.Info!.Links, result.Info.NumEnvs ?? 1, json.Length);

        try
        {
            await control.RefreshWebAsync(run, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The scene is stored; pages that miss the push pick it up when they reconnect.
            Log.RefreshFailed(logger, run, e);
        }

        return result;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.SceneLoaded, EventName = nameof(EventIds.SceneLoaded), Level = LogLevel.Information, Message = "Scene loaded for run {Run}: {Links} links, {Envs} env(s), {Bytes} bytes")]
        public static partial void SceneLoaded(ILogger logger, string run, int links, int envs, int bytes);

        [LoggerMessage(EventId = EventIds.SceneRefused, EventName = nameof(EventIds.SceneRefused), Level = LogLevel.Information, Message = "Scene refused for run {Run}: {Reason}")]
        public static partial void SceneRefused(ILogger logger, string run, string reason);

        [LoggerMessage(EventId = EventIds.SceneRefreshFailed, EventName = nameof(EventIds.SceneRefreshFailed), Level = LogLevel.Warning, Message = "Scene for run {Run} stored, but sending refresh_web failed")]
        public static partial void RefreshFailed(ILogger logger, string run, Exception exception);
    }
}
