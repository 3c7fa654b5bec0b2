using System.Text.Json.Nodes;

namespace Brax.Viewer.Tests.Infrastructure;

/// <summary>
/// The repository's root and the Brax scenes and frame streams in its <c>testdata/brax</c>. The root
/// is the folder holding <c>Brax.Viewer.sln</c> above the test assembly, so Debug and Release builds
/// find the same files, and nothing outside the repository is ever read.
/// </summary>
internal static class BraxFixtures
{
    /// <summary>Scenes in the current format, each with a matching frame stream.</summary>
    public static readonly string[] Scenes = ["cartpole", "ant", "arm", "cartpole_batched4"];

    private static readonly Lazy<string> LazyRoot = new(FindRepositoryRoot);

    /// <summary>The folder holding <c>Brax.Viewer.sln</c>.</summary>
    public static string RepositoryRoot => LazyRoot.Value;

    /// <summary>The folder of the Brax fixtures, <c>testdata/brax</c>.</summary>
    public static string FixtureDirectory => Existing(Path.Combine(RepositoryRoot, "testdata", "brax"));

    /// <summary>A scene in brax's old v1 format, which the server refuses.</summary>
    public static string LegacyFile => Existing(Path.Combine(FixtureDirectory, "legacy-v1", "grasp_initial_system.json"));

    /// <summary>Path of a scene's system JSON.</summary>
    public static string SystemFile(string scene) => Existing(Path.Combine(FixtureDirectory, scene + ".system.json"));

    /// <summary>Path of a scene's frame stream.</summary>
    public static string FramesFile(string scene) => Existing(Path.Combine(FixtureDirectory, scene + ".frames.jsonl"));

    /// <summary>A scene's system JSON, byte for byte.</summary>
    public static byte[] System(string scene) => File.ReadAllBytes(SystemFile(scene));

    /// <summary>A scene's frame stream: one JSON text per line, exactly as a streamer sends them.</summary>
    public static string[] Frames(string scene) => File.ReadAllLines(FramesFile(scene)).Where(line => line.Length > 0).ToArray();

    /// <summary>Link count of a scene (length of <c>link_names</c>).</summary>
    public static int Links(string scene) => JsonNode.Parse(System(scene))!["link_names"]!.AsArray().Count;

    /// <summary>Every path this class hands out, so a test can check that none leaves the repository.</summary>
    public static IEnumerable<string> AllPaths()
    {
        yield return RepositoryRoot;
        yield return FixtureDirectory;
        yield return LegacyFile;
        foreach (var scene in Scenes)
        {
            yield return SystemFile(scene);
            yield return FramesFile(scene);
        }
    }

    // A missing fixture fails with its path, not with a file-not-found deep inside a test.
    private static string Existing(string path) =>
        File.Exists(path) || Directory.Exists(path) ? path : throw new FileNotFoundException("A Brax fixture is missing from the repository: " + path, path);

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Brax.Viewer.sln")))
            {
                return directory.FullName;
            }
        }

        throw new DirectoryNotFoundException("Brax.Viewer.sln not found above " + AppContext.BaseDirectory);
    }
}
