using System.Diagnostics;
using Brax.Viewer.LoadGen.Hosting;
using Brax.Viewer.Tests.Infrastructure;

namespace Brax.Viewer.Tests.Robustness;

/// <summary>
/// The server process's resident memory once it has settled: a burst of small requests gives its
/// GC (workstation, with the small gen0 budget <see cref="Environment"/> sets) reason to run,
/// then RSS is read every 250 ms until five readings in a row lie within 1 MiB of each other
/// (or 20 s have passed), and the last is taken.
/// </summary>
internal static class ServerMemory
{
    /// <summary>Runtime settings for a server whose memory is measured: frequent gen0 collections, so garbage does not pass for growth.</summary>
    public static readonly Dictionary<string, string> Environment = new()
    {
        ["DOTNET_GCgen0size"] = "0x400000",
        ["DOTNET_gcConcurrent"] = "0",
    };

    public static async Task<long> SettledResidentBytesAsync(ServerProcess server, HttpClient http)
    {
        for (var i = 0; i < 200; i++)
        {
            using var _ = await http.GetAsync(server.Http("api/diagnostics"));
        }

        var readings = new List<long>();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            readings.Add(server.ResidentBytes());
            if (readings.Count >= 5 && readings[^5..].Max() - readings[^5..].Min() < 1024 * 1024)
            {
                break;
            }

            await Task.Delay(250);
        }

        return readings[^1];
    }

    public static string MiB(long bytes) => $"{bytes / 1048576.0:F1} MiB";
}
