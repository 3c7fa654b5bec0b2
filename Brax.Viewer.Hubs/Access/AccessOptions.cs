namespace Brax.Viewer.Hubs.Access;

/// <summary>
/// Who may connect, stream and change things (configuration section <c>Viewer</c>). With no key set
/// the server is open to anyone who can reach it, as a server on a laptop should be; on the internet,
/// set both keys.
/// </summary>
public sealed class AccessOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "Viewer";

    /// <summary>Shortest accepted key: anything shorter is guessable.</summary>
    public const int MinimumKeyLength = 16;

    /// <summary>
    /// When set, streaming frames, toggling rendering and changing or deleting a scene require this
    /// key (it also grants everything the viewer key grants). Environment <c>Viewer__StreamerKey</c>.
    /// </summary>
    public string? StreamerKey { get; set; }

    /// <summary>
    /// When set, watching frames, control connections, reading scenes and the diagnostics require
    /// this key or the streamer key. Environment <c>Viewer__ViewerKey</c>.
    /// </summary>
    public string? ViewerKey { get; set; }

    /// <summary>
    /// Origins (<c>scheme://host[:port]</c>) whose pages may open WebSockets, negotiate with the hubs
    /// and make state-changing calls, besides the server's own origin and loopback origins. <c>*</c>
    /// allows every origin. Clients that send no <c>Origin</c> (Python, .NET) are never affected.
    /// </summary>
    public IList<string> AllowedOrigins { get; } = [];

    internal bool RequiresKeys => !string.IsNullOrEmpty(StreamerKey) || !string.IsNullOrEmpty(ViewerKey);

    internal IEnumerable<string> Validate()
    {
        foreach (var (name, key) in new[] { (nameof(StreamerKey), StreamerKey), (nameof(ViewerKey), ViewerKey) })
        {
            if (key is { Length: > 0 and < MinimumKeyLength })
            {
                yield return $"{SectionName}:{name} must be at least {MinimumKeyLength} characters.";
            }
        }

        if (!string.IsNullOrEmpty(StreamerKey) && StreamerKey == ViewerKey)
        {
            yield return $"{SectionName}:{nameof(StreamerKey)} and {nameof(ViewerKey)} must differ: the viewer key would let viewers stream.";
        }

        foreach (var origin in AllowedOrigins)
        {
            if (origin != "*" && !OriginCheck.TryNormalize(origin, out _))
            {
                yield return $"{SectionName}:{nameof(AllowedOrigins)} holds '{origin}', which is not an origin such as https://example.org or http://host:8000.";
            }
        }
    }
}
