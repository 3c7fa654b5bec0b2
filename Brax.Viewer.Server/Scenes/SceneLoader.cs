using Brax.Viewer.Hubs;
using Brax.Viewer.Hubs.Diagnostics;
using Brax.Viewer.Hubs.State;
using Microsoft.Extensions.Options;

namespace Brax.Viewer.Server.Scenes;

/// <summary>
/// The one way a scene gets in (HTTP upload, <c>--system FILE</c>, the demo) or out (HTTP delete):
/// validate, store within the store's limits, then tell every control client of the run so open
/// pages rebuild, or go back to waiting, without a reload.
/// </summary>
internal sealed partial class SceneLoader(ISceneStore store, IControlChannel control, IOptions<SceneStoreOptions> limits, HubDiagnostics diagnostics, ILogger<SceneLoader> logger)
{
    /// <summary>Validates and stores <paramref name="json"/> for <paramref name="run"/>; the store is unchanged when it is refused.</summary>
    public async Task<SceneLoadResult> LoadAsync(string run, ReadOnlyMemory<byte> json, int? numEnvs, CancellationToken cancellationToken)
    {
        var result = SceneValidator.Validate(json, numEnvs);
        if (!result.IsValid)
        {
            Log.SceneRefused(logger, run, result.Error!);
            return new SceneLoadResult(null, result.Error, OverLimit: false);
        }

        var stored = await store.SetAsync(run, new StoredScene(json, result.Info!), cancellationToken);
        if (stored != SceneStoreResult.Stored)
        {
            return OverLimit(run, stored, json.Length);
        }

        Log.SceneLoaded(logger, run, result.Info!.Links, result.Info.NumEnvs ?? 1, json.Length);
        await RefreshAsync(run, cancellationToken);
        return new SceneLoadResult(result.Info, null, OverLimit: false);
    }

    /// <summary>
    /// Whether a scene of <paramref name="bytes"/> for <paramref name="run"/> would fit in the store
    /// now, before an upload is read: <see langword="null"/> when it would, else the refusal.
    /// </summary>
    public async Task<SceneLoadResult?> CheckRoomAsync(string run, long bytes, CancellationToken cancellationToken)
    {
        var admitted = await store.AdmitsAsync(run, bytes, cancellationToken);
        return admitted == SceneStoreResult.Stored ? null : OverLimit(run, admitted, bytes);
    }

    /// <summary>Deletes the scene of <paramref name="run"/>; <see langword="false"/> when it had none.</summary>
    public async Task<bool> DeleteAsync(string run, CancellationToken cancellationToken)
    {
        if (!await store.DeleteAsync(run, cancellationToken))
        {
            return false;
        }

        Log.SceneDeleted(logger, run);
        await RefreshAsync(run, cancellationToken);
        return true;
    }

    private SceneLoadResult OverLimit(string run, SceneStoreResult refused, long bytes)
    {
        var (reason, error) = refused == SceneStoreResult.TooManyRuns
            ? (RefusalReason.SceneRuns, $"the server holds scenes for {limits.Value.MaxSceneRuns} runs, its limit (Viewer:MaxSceneRuns): delete one with DELETE /api/system?run=NAME first")
            : (RefusalReason.SceneBytes, $"this scene of {bytes} bytes would take the scenes held past {limits.Value.MaxTotalSceneBytes} bytes, the limit (Viewer:MaxTotalSceneBytes): delete one with DELETE /api/system?run=NAME first");
        if (diagnostics.Refused(reason, out var unlogged))
        {
            Log.SceneOverLimit(logger, run, error, unlogged);
        }

        return new SceneLoadResult(null, error, OverLimit: true);
    }

    private async Task RefreshAsync(string run, CancellationToken cancellationToken)
    {
        try
        {
            await control.RefreshWebAsync(run, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The change is stored; pages that miss the push pick it up when they reconnect.
            Log.RefreshFailed(logger, run, e);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.SceneLoaded, EventName = nameof(EventIds.SceneLoaded), Level = LogLevel.Information, Message = "Scene loaded for run {Run}: {Links} links, {Envs} env(s), {Bytes} bytes")]
        public static partial void SceneLoaded(ILogger logger, string run, int links, int envs, int bytes);

        [LoggerMessage(EventId = EventIds.SceneRefused, EventName = nameof(EventIds.SceneRefused), Level = LogLevel.Information, Message = "Scene refused for run {Run}: {Reason}")]
        public static partial void SceneRefused(ILogger logger, string run, string reason);

        [LoggerMessage(EventId = EventIds.SceneRefreshFailed, EventName = nameof(EventIds.SceneRefreshFailed), Level = LogLevel.Warning, Message = "Scene for run {Run} changed, but sending refresh_web failed")]
        public static partial void RefreshFailed(ILogger logger, string run, Exception exception);

        [LoggerMessage(EventId = EventIds.SceneRefusedAtLimit, EventName = nameof(EventIds.SceneRefusedAtLimit), Level = LogLevel.Warning, Message = "Scene refused for run {Run}: {Reason} ({Unlogged} similar refusals not logged before this one.)")]
        public static partial void SceneOverLimit(ILogger logger, string run, string reason, long unlogged);

        [LoggerMessage(EventId = EventIds.SceneDeleted, EventName = nameof(EventIds.SceneDeleted), Level = LogLevel.Information, Message = "Scene deleted for run {Run}")]
        public static partial void SceneDeleted(ILogger logger, string run);
    }
}
