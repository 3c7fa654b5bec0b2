using System.Diagnostics;

namespace Brax.Viewer.Tests.Infrastructure;

/// <summary>
/// The built server (<see cref="ServerProcess.ServerDll"/>) run as its own process until it exits by
/// itself: how a start that must fail looks from the outside, with exit code, output and duration.
/// </summary>
public sealed record ServerExit(int ExitCode, IReadOnlyList<string> StandardOutput, IReadOnlyList<string> StandardError, TimeSpan Elapsed)
{
    /// <summary>Every line the process wrote, standard output first.</summary>
    public IEnumerable<string> AllLines => StandardOutput.Concat(StandardError);

    /// <summary>Runs <c>dotnet Brax.Viewer.Server.dll</c> with <paramref name="arguments"/>; kills it and fails if it is still running after <paramref name="timeout"/>.</summary>
    public static async Task<ServerExit> RunAsync(IEnumerable<string> arguments, TimeSpan timeout, IDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(ServerProcess.ServerDll)!,
        };
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
            throw new TimeoutException($"the server was still running after {timeout.TotalSeconds} s:\n{await output}{await error}");
        }

        stopwatch.Stop();
        return new ServerExit(process.ExitCode, Lines(await output), Lines(await error), stopwatch.Elapsed);
    }

    // Non-blank lines, with their indentation: a stack trace's lines start with "   at ".
    private static string[] Lines(string text) =>
        text.Split('\n').Select(line => line.TrimEnd('\r')).Where(line => !string.IsNullOrWhiteSpace(line)).ToArray();

    /// <inheritdoc />
    public override string ToString() =>
        $"exit {ExitCode} after {Elapsed.TotalSeconds:0.0} s\n--- stdout\n{string.Join('\n', StandardOutput)}\n--- stderr\n{string.Join('\n', StandardError)}";
}
