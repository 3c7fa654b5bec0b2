using System.Globalization;

namespace Brax.Viewer.LoadGen.Hosting;

/// <summary>
/// CPU time and memory of one process, read from <c>/proc/&lt;pid&gt;/stat</c> and <c>/proc/&lt;pid&gt;/status</c>.
/// <see cref="KernelCpuSeconds"/> (stime) is the part of <see cref="CpuSeconds"/> spent in the kernel on
/// the process's behalf: on loopback that includes the receiving side's TCP input path, run in the sender's softirq.
/// </summary>
internal readonly record struct ProcessStats(double CpuSeconds, double KernelCpuSeconds, long RssBytes, long PeakRssBytes, int Threads)
{
    // USER_HZ: the unit of utime/stime in /proc/<pid>/stat. The kernel ABI fixes it at 100 on x86 and arm.
    private const double ClockTicksPerSecond = 100;

    public static ProcessStats Read(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");

        // The command name in parentheses may hold spaces; fields are counted after its closing parenthesis.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var utime = long.Parse(fields[11], CultureInfo.InvariantCulture);
        var stime = long.Parse(fields[12], CultureInfo.InvariantCulture);
        var threads = int.Parse(fields[17], CultureInfo.InvariantCulture);

        long rss = 0, hwm = 0;
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = Kilobytes(line);
            }
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                hwm = Kilobytes(line);
            }
        }

        return new ProcessStats((utime + stime) / ClockTicksPerSecond, stime / ClockTicksPerSecond, rss, hwm, threads);
    }

    public static ProcessStats Self() => Read(Environment.ProcessId);

    private static long Kilobytes(string line) =>
        1024 * long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
}
