using System.Runtime.InteropServices;

namespace Brax.Viewer.LoadGen.Hosting;

/// <summary>
/// Raises this process's soft limit on open files to its hard limit. Every connection is a file
/// descriptor, and the child server inherits the raised limit.
/// </summary>
internal static partial class OpenFileLimit
{
    private const int RlimitNofile = 7;

    /// <summary>Returns the soft limit in force afterwards, or -1 where it cannot be read.</summary>
    public static long Raise()
    {
        if (!OperatingSystem.IsLinux())
        {
            return -1;
        }

        if (GetRLimit(RlimitNofile, out var limit) != 0)
        {
            return -1;
        }

        if (limit.Current < limit.Maximum)
        {
            var raised = limit with { Current = limit.Maximum };
            if (SetRLimit(RlimitNofile, in raised) == 0)
            {
                return (long)raised.Current;
            }
        }

        return (long)limit.Current;
    }

    [LibraryImport("libc", EntryPoint = "getrlimit")]
    private static partial int GetRLimit(int resource, out RLimit limit);

    [LibraryImport("libc", EntryPoint = "setrlimit")]
    private static partial int SetRLimit(int resource, in RLimit limit);

    [StructLayout(LayoutKind.Sequential)]
    private record struct RLimit(ulong Current, ulong Maximum);
}
