using System.Text.Json.Nodes;

namespace Brax.Viewer.Tests.Viewer;

/// <summary>The Brax scene and frame fixtures in <c>../shared/fixtures/brax</c> beside the repository.</summary>
internal static class BraxFixtures
{
    /// <summary>Scenes in the current format, each with a matching frame stream.</summary>
    public static readonly string[] Scenes = ["cartpole", "ant", "arm", "cartpole_batched4"];

    public static string LegacyFile => Path.Combine(Directory, "legacy-v1", "grasp_initial_system.json");

    public static string Directory => LazyDirectory.Value;

    private static readonly Lazy<string> LazyDirectory = new(Find);

    public static byte[] System(string scene) => File.ReadAllBytes(Path.Combine(Directory, scene + ".system.json"));

    /// <summary>The frame stream, one JSON text per line as a streamer sends them.</summary>
    public static string[] Frames(string scene)
        => File.ReadAllLines(Path.Combine(Directory, scene + ".frames.jsonl")).Where(l => l.Length > 0).ToArray();

    /// <summary>Link count of a scene (length of <c>link_names</c>).</summary>
    public static int Links(string scene) => JsonNode.Parse(System(scene))!["link_names"]!.AsArray().Count;

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Brax.Viewer.sln")))
            {
                var fixtures = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "fixtures", "brax"));
                if (!global::System.IO.Directory.Exists(fixtures))
                {
                    throw new DirectoryNotFoundException($"The Brax fixtures are missing: expected {fixtures}");
                }

                return fixtures;
            }
        }

        throw new DirectoryNotFoundException($"No Brax.Viewer.sln above {AppContext.BaseDirectory}");
    }
}
