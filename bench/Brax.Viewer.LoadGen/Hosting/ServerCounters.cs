using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Brax.Viewer.LoadGen.Hosting;

/// <summary>
/// The server's own runtime counters over the measurement window (bytes allocated, GCs, lock
/// contentions), recorded by the <c>dotnet-counters</c> tool when it is installed
/// (<c>dotnet tool install -g dotnet-counters</c>). The allocation total is what shows whether
/// steady-state fan-out allocates per delivery on the real server, not only in the micro-benchmark.
/// </summary>
internal sealed class ServerCounters
{
    private readonly Process _process;
    private readonly string _file;

    private ServerCounters(Process process, string file)
    {
        _process = process;
        _file = file;
    }

    public static string? FindTool()
    {
        var home = Environment.GetEnvironmentVariable("HOME") ?? "/root";
        var candidates = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Append(Path.Combine(home, ".dotnet", "tools"))
            .Select(dir => Path.Combine(dir, "dotnet-counters"));
        return candidates.FirstOrDefault(File.Exists);
    }

    /// <summary>Starts recording for <paramref name="seconds"/> (whole seconds, rounded up); null when the tool is missing.</summary>
    public static ServerCounters? Start(int pid, double seconds, string outputDirectory)
    {
        if (FindTool() is not { } tool)
        {
            return null;
        }

        Directory.CreateDirectory(outputDirectory);
        var file = Path.Combine(Path.GetFullPath(outputDirectory), $"counters-{pid}-{Environment.TickCount64}.json");
        var start = new ProcessStartInfo(tool)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "collect", "-p", pid.ToString(CultureInfo.InvariantCulture), "--counters", "System.Runtime", "--format", "json", "--refresh-interval", "1", "-o", file, "--duration", TimeSpan.FromSeconds(Math.Ceiling(seconds)).ToString("c", CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start)!;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new ServerCounters(process, file);
    }

    /// <summary>Waits for the recording to end and sums it.</summary>
    public async Task<CounterTotals?> FinishAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill();
            return null;
        }
        finally
        {
            _process.Dispose();
        }

        try
        {
            using var document = JsonDocument.Parse(await File.ReadAllTextAsync(_file));
            double allocated = 0, collections = 0, contentions = 0;
            foreach (var e in document.RootElement.GetProperty("Events").EnumerateArray())
            {
                var name = e.GetProperty("name").GetString() ?? string.Empty;
                var value = e.GetProperty("value").GetDouble();
                if (name.StartsWith("dotnet.gc.heap.total_allocated", StringComparison.Ordinal))
                {
                    allocated += value;
                }
                else if (name.StartsWith("dotnet.gc.collections", StringComparison.Ordinal))
                {
                    collections += value;
                }
                else if (name.StartsWith("dotnet.monitor.lock_contentions", StringComparison.Ordinal))
                {
                    contentions += value;
                }
            }

            return new CounterTotals(allocated, collections, contentions);
        }
        catch (Exception ex) when (ex is JsonException or IOException or KeyNotFoundException or InvalidOperationException)
        {
            return null;
        }
        finally
        {
            File.Delete(_file);
        }
    }
}

/// <summary>Sums of the server's runtime counters over a window.</summary>
internal sealed record CounterTotals(double AllocatedBytes, double GcCollections, double LockContentions);
