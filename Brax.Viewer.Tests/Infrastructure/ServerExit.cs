using System.Diagnostics;
using Brax.Viewer.LoadGen.Hosting;

namespace Brax.Viewer.Tests.Infrastructure;

/// <summary>
/// The built server (<see cref="ServerProcess.ServerDll"/>) run as its own process until it exits by
/// itself: how a start that must fail looks from the outside.
/// </summary>
public static class ServerExit
{
    /// <summary>Runs <c>dotnet Brax.Viewer.Server.dll</c> with <paramref name="arguments"/>; fails if it is still running after <paramref name="timeout"/>.</summary>
    public static Task<FinishedProcess> RunAsync(IEnumerable<string> arguments, TimeSpan timeout, IDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = Path.GetDirectoryName(ServerProcess.ServerDll)! };
        start.ArgumentList.Add(ServerProcess.ServerDll);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // The test's own environment must not choose the address or the log format.
        start.Environment.Remove("ASPNETCORE_URLS");
        start.Environment["Logging__Console__FormatterName"] = "simple";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        return FinishedProcess.RunAsync(start, timeout);
    }
}
