namespace Brax.Viewer.Hubs.State;

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
