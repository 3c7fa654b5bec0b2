namespace Brax.Viewer.Server.Scenes;

/// <summary>Scene settings, bound from the <c>Viewer</c> configuration section.</summary>
public sealed class SceneOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "Viewer";

    /// <summary>Largest accepted system JSON (<c>Viewer:MaxSceneBytes</c>); larger uploads get 413. Default 64 MiB.</summary>
    public long MaxSceneBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>A system JSON file loaded for the default run at start (<c>--system FILE</c>).</summary>
    public string? SystemFile { get; set; }

    /// <summary>Load the built-in demo scene and stream motion into it (<c>--demo</c>).</summary>
    public bool Demo { get; set; }

    internal IEnumerable<string> Validate()
    {
        if (MaxSceneBytes < 1 || MaxSceneBytes > Array.MaxLength)
        {
            yield return $"{SectionName}:{nameof(MaxSceneBytes)} must be positive and under 2 GiB, the largest array (is {MaxSceneBytes}).";
        }
    }
}
