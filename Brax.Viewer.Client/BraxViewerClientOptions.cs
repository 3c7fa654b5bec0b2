namespace Brax.Viewer.Client;

/// <summary>
/// Settings of a <see cref="BraxViewerClient"/>, in the <c>Microsoft.Extensions.Options</c> style:
/// bind them from configuration or set them in <c>services.AddBraxViewerClient(options => …)</c>.
/// </summary>
public sealed class BraxViewerClientOptions
{
    /// <summary>The usual configuration section of these options.</summary>
    public const string SectionName = "BraxViewer";

    /// <summary>The server's address, <c>http://127.0.0.1:8000</c> unless set; a path prefix is kept.</summary>
    public Uri ServerUrl { get; set; } = new("http://127.0.0.1:8000");

    /// <summary>The run to join (1 to 64 of <c>A-Z a-z 0-9 _ - .</c>); <see cref="RunContract.DefaultRun"/> unless set.</summary>
    public string Run { get; set; } = RunContract.DefaultRun;

    /// <summary>Whether the client receives frames (<see cref="BraxViewerRole.Viewer"/>, the default) or sends them.</summary>
    public BraxViewerRole Role { get; set; } = BraxViewerRole.Viewer;

    /// <summary>The hub protocol; <see cref="BraxViewerProtocol.Json"/> unless set.</summary>
    public BraxViewerProtocol Protocol { get; set; } = BraxViewerProtocol.Json;

    /// <summary>
    /// The access key, when the server has keys: the viewer key to watch, the streamer key to stream
    /// or toggle rendering. Sent as <c>Authorization: Bearer KEY</c>.
    /// </summary>
    public string? AccessKey { get; set; }

    /// <summary>Whether to join the control hub too, for the render toggle, scene changes and viewer counts (default true).</summary>
    public bool ConnectControl { get; set; } = true;

    /// <summary>First delay before connecting again after a failure; it doubles, with jitter, up to <see cref="MaxReconnectDelay"/>.</summary>
    public TimeSpan MinReconnectDelay { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Longest delay between two connection attempts.</summary>
    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The problems of these settings, empty when they are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (ServerUrl is null || !ServerUrl.IsAbsoluteUri || ServerUrl.Scheme is not ("http" or "https"))
        {
            problems.Add($"{nameof(ServerUrl)} must be an absolute http:// or https:// address.");
        }

        if (!RunContract.TryResolve(Run, out _, out var runError))
        {
            problems.Add($"{nameof(Run)}: {runError}");
        }

        if (MinReconnectDelay <= TimeSpan.Zero || MaxReconnectDelay < MinReconnectDelay)
        {
            problems.Add($"{nameof(MinReconnectDelay)} must be positive and at most {nameof(MaxReconnectDelay)}.");
        }

        return problems;
    }
}
