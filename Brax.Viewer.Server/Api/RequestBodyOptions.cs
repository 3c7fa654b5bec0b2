namespace Brax.Viewer.Server.Api;

/// <summary>How large an HTTP request body may be (configuration section <c>Viewer</c>).</summary>
public sealed class RequestBodyOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "Viewer";

    /// <summary>
    /// Largest request body of an endpoint without a limit of its own (the JSON endpoints such as
    /// <c>POST /api/rendering_status</c>); larger ones get 413. <c>PUT /api/system</c> has
    /// <c>Viewer:MaxSceneBytes</c>; the hubs and raw endpoints, whose bodies are message streams,
    /// have their message limits. Default 64 KiB.
    /// </summary>
    public long MaxRequestBodyBytes { get; set; } = 64 * 1024;

    internal IEnumerable<string> Validate()
    {
        if (MaxRequestBodyBytes < 1)
        {
            yield return $"{SectionName}:{nameof(MaxRequestBodyBytes)} must be positive (is {MaxRequestBodyBytes}).";
        }
    }
}
