namespace Brax.Viewer.Server.Scenes;

/// <summary>
/// Where the scene (Brax system JSON) of each run is kept. The in-memory store serves one process;
/// a shared store lets several server instances answer <c>GET /api/system</c> alike.
/// </summary>
public interface ISceneStore
{
    /// <summary>The scene of <paramref name="run"/>, or <see langword="null"/> when none was loaded.</summary>
    ValueTask<StoredScene?> GetAsync(string run, CancellationToken cancellationToken = default);

    /// <summary>Replaces the scene of <paramref name="run"/>.</summary>
    Task SetAsync(string run, StoredScene scene, CancellationToken cancellationToken = default);
}

/// <summary>A validated scene: the system JSON exactly as uploaded and what the page needs to lay it out.</summary>
/// <param name="Json">The system JSON bytes as uploaded (UTF-8); served back unchanged.</param>
/// <param name="Info">Facts about the scene found at validation, served to the page beside it.</param>
public sealed record StoredScene(ReadOnlyMemory<byte> Json, SceneInfo Info);

/// <summary>
/// Facts about a scene that the page reads before it builds anything. Batching comes from here
/// (an explicit environment count), never from link names: brax's own <c>ant</c> has bodies
/// named <c>aux_1</c>…<c>aux_4</c> and is a single environment.
/// </summary>
/// <param name="Tag">Changes whenever the scene bytes or the environment count change; the page skips a rebuild when it is unchanged.</param>
/// <param name="Links">Number of links (L): the length of every state's and every single-env frame's <c>pos</c>/<c>rot</c>.</param>
/// <param name="NumEnvs">Environments laid out in the scene when the uploader said so, else <see langword="null"/>.</param>
/// <param name="LinksPerEnv">Links of one environment (<c>Links / NumEnvs</c>) when <paramref name="NumEnvs"/> is known.</param>
/// <param name="Bytes">Size of the system JSON in bytes.</param>
public sealed record SceneInfo(string Tag, int Links, int? NumEnvs, int? LinksPerEnv, long Bytes);
