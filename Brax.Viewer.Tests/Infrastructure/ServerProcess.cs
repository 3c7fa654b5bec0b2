using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Brax.Viewer.Tests.Infrastructure;

/// <summary>
/// The server as its own process (the built Brax.Viewer.Server.dll), for what an in-process server
/// cannot show: its memory and CPU apart from the test's own clients, or how it starts from the outside.
/// </summary>
public sealed partial class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _output;

    private ServerProcess(Process process, Uri baseUri, List<string> output)
    {
        _process = process;
        BaseUri = baseUri;
        _output = output;
    }

    public Uri BaseUri { get; }

    public int Pid => _process.Id;

    /// <summary>Every line the server has written to stdout and stderr so far.</summary>
    public IReadOnlyList<string> OutputLines
    {
        get
        {
            lock (_output)
            {
                return [.. _output];
            }
        }
    }

    public Uri WebSocket(string pathAndQuery) => new(new UriBuilder(BaseUri) { Scheme = "ws" }.Uri, pathAndQuery);

    public Uri Http(string pathAndQuery) => new(BaseUri, pathAndQuery);

    public static string ServerDll
    {
        get
        {
            var configuration = AppContext.BaseDirectory.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
            return Path.Combine(BraxFixtures.RepositoryRoot, "Brax.Viewer.Server", "bin", configuration, "net10.0", "Brax.Viewer.Server.dll");
        }
    }

    /// <summary>Starts <c>dotnet Brax.Viewer.Server.dll</c> with <paramref name="arguments"/> and waits until it listens.</summary>
    public static async Task<ServerProcess> StartAsync(IEnumerable<string> arguments, IDictionary<string, string>? environment = null, string? dll = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(dll ?? ServerDll)!,
        };
        start.ArgumentList.Add(dll ?? ServerDll);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment.Remove("ASPNETCORE_URLS");
        start.Environment["Logging__Console__FormatterName"] = "simple";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start)!;
        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        var output = new List<string>();
        void Collect(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (output)
            {
                output.Add(line);
            }

            if (ListeningLine().Match(line) is { Success: true } match)
            {
                listening.TrySetResult(new Uri(match.Groups[1].Value.Replace("[::]", "127.0.0.1", StringComparison.Ordinal).Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal) + "/"));
            }
        }

        process.OutputDataReceived += (_, e) => Collect(e.Data);
        process.ErrorDataReceived += (_, e) => Collect(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _ = process.WaitForExitAsync().ContinueWith(_ => listening.TrySetException(new InvalidOperationException("server exited: " + string.Join('\n', output))), TaskScheduler.Default);

        var uri = await listening.Task.WaitAsync(TimeSpan.FromSeconds(30));
        return new ServerProcess(process, uri, output);
    }

    /// <summary>Resident memory of the server process, in bytes (VmRSS).</summary>
    public long ResidentBytes()
    {
        foreach (var line in File.ReadLines($"/proc/{Pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
            }
        }

        throw new InvalidOperationException("no VmRSS");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex ListeningLine();
}
