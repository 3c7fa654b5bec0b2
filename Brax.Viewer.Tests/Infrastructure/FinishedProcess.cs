using System.Diagnostics;

namespace Brax.Viewer.Tests.Infrastructure;

/// <summary>A process run until it exited by itself: its exit code, its non-blank output lines and how long it ran.</summary>
public sealed record FinishedProcess(int ExitCode, IReadOnlyList<string> StandardOutput, IReadOnlyList<string> StandardError, TimeSpan Elapsed)
{
    /// <summary>Every line the process wrote, standard output first.</summary>
    public IEnumerable<string> AllLines => StandardOutput.Concat(StandardError);

    /// <summary>Runs <paramref name="start"/> to its end; kills it and fails if it is still running after <paramref name="timeout"/>.</summary>
    public static async Task<FinishedProcess> RunAsync(ProcessStartInfo start, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(start);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        var stopwatch = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            throw new TimeoutException($"{start.FileName} {string.Join(' ', start.ArgumentList)} was still running after {timeout.TotalSeconds} s:\n{await output}{await error}");
        }

        stopwatch.Stop();
        return new FinishedProcess(process.ExitCode, Lines(await output), Lines(await error), stopwatch.Elapsed);
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"exit {ExitCode} after {Elapsed.TotalSeconds:0.0} s\n--- stdout\n{string.Join('\n', StandardOutput)}\n--- stderr\n{string.Join('\n', StandardError)}";

    // Non-blank lines, with their indentation: a stack trace's lines start with "   at ".
    private static string[] Lines(string text) =>
        text.Split('\n').Select(line => line.TrimEnd('\r')).Where(line => !string.IsNullOrWhiteSpace(line)).ToArray();
}
