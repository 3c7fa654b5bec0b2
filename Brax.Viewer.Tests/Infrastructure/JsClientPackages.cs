using System.Diagnostics;

namespace Brax.Viewer.Tests.Infrastructure;

/// <summary>
/// The JavaScript client (clients/js) with its npm packages restored: <c>npm ci</c> from its
/// package-lock.json, once per test run, whenever node_modules is missing or older than the lock.
/// Its tests and the documentation's JavaScript samples need the <c>ws</c> package, Node 20 having
/// no WebSocket of its own.
/// </summary>
internal static class JsClientPackages
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static bool _restored;

    /// <summary>clients/js.</summary>
    public static string Root => Path.Combine(BraxFixtures.RepositoryRoot, "clients", "js");

    /// <summary>clients/js/node_modules, where a script finds <c>ws</c> through NODE_PATH.</summary>
    public static string NodeModules => Path.Combine(Root, "node_modules");

    /// <summary>Runs <c>npm ci</c> in clients/js unless its packages are already those of the lock.</summary>
    public static async Task EnsureRestoredAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (_restored)
            {
                return;
            }

            var marker = Path.Combine(NodeModules, ".package-lock.json");
            var lockFile = Path.Combine(Root, "package-lock.json");
            if (!File.Exists(marker) || File.GetLastWriteTimeUtc(marker) < File.GetLastWriteTimeUtc(lockFile))
            {
                var start = new ProcessStartInfo("npm") { WorkingDirectory = Root };
                foreach (var argument in new[] { "ci", "--no-audit", "--no-fund", "--ignore-scripts" })
                {
                    start.ArgumentList.Add(argument);
                }

                var run = await FinishedProcess.RunAsync(start, TimeSpan.FromMinutes(3));
                run.ExitCode.Should().Be(0, $"npm ci in clients/js restores the packages its tests need:\n{run}");
            }

            File.Exists(Path.Combine(NodeModules, "ws", "package.json")).Should().BeTrue("clients/js's lock holds the ws package");
            _restored = true;
        }
        finally
        {
            Gate.Release();
        }
    }
}
