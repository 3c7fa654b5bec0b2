namespace Brax.Viewer.Tests.Infrastructure;

/// <summary>Paths of the repository and of the shared Brax fixtures beside it.</summary>
public static class Fixtures
{
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static string BraxDirectory => Path.Combine(RepositoryRoot, "..", "shared", "fixtures", "brax");

    public static string Brax(string name) => Path.Combine(BraxDirectory, name);

    /// <summary>The frames of a fixture stream, one JSON text per line, exactly as stored.</summary>
    public static IReadOnlyList<string> FrameLines(string name) =>
        File.ReadAllLines(Brax(name)).Where(line => line.Length > 0).ToList();

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Brax.Viewer.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Brax.Viewer.sln not found above " + AppContext.BaseDirectory);
    }
}
