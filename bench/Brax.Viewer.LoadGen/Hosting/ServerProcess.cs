using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Brax.Viewer.LoadGen.Hosting;

/// <summary>
/// The server as its own process (a built <c>Brax.Viewer.Server.dll</c> run by <c>dotnet</c>), for
/// what an in-process server cannot show: its CPU and memory apart from its clients', an open-file
/// limit of its own, and how it starts from the outside (arguments, environment, a published copy).
/// The load generator measures it; the tests start it the same way.
/// </summary>
internal sealed partial class ServerProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly List<string> _output = [];
    private readonly StreamWriter? _log;
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ServerProcess(Process process, StreamWriter? log)
    {
        _process = process;
        _log = log;
    }

    /// <summary>Where the server listens, as its own start-up log announced it (any-address binds read as 127.0.0.1).</summary>
    public Uri BaseUri { get; private set; } = null!;

    public int Pid => _process.Id;

    /// <summary>Every line the server wrote to stdout and stderr so far.</summary>
    public IReadOnlyList<string> Output
    {
        get
        {
            lock (_output)
            {
                return [.. _output];
            }
        }
    }

    /// <summary>
    /// The server built in this repository in the configuration of the running assembly (a Release
    /// test run starts the Release server), found upwards from the assembly's directory.
    /// </summary>
    public static string ServerDll
    {
        get
        {
            var configuration = AppContext.BaseDirectory.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
            return Path.Combine(RepositoryRoot(), "Brax.Viewer.Server", "bin", configuration, "net10.0", "Brax.Viewer.Server.dll");
        }
    }

    public Uri Http(string pathAndQuery) => new(BaseUri, pathAndQuery);

    public Uri WebSocket(string pathAndQuery) => new(new UriBuilder(BaseUri) { Scheme = "ws" }.Uri, pathAndQuery);

    /// <summary>
    /// Starts <c>dotnet <paramref name="dll"/> <paramref name="arguments"/></c> (by default <see cref="ServerDll"/>)
    /// with <paramref name="environment"/> added to this process's own, and returns once the server
    /// logs that it listens. The address comes from that line, so <c>--urls http://127.0.0.1:0</c>,
    /// <c>PORT</c> and the defaults all work; a server that logs below Information must keep
    /// <c>Microsoft.Hosting.Lifetime</c> at Information. With <paramref name="logPath"/>, the
    /// server's output is also written to that file as it comes.
    /// </summary>
    /// <exception cref="InvalidOperationException">The server exited before it listened; the message holds its output.</exception>
    /// <exception cref="TimeoutException">It did not listen within 30 s; it has been stopped.</exception>
    public static async Task<ServerProcess> StartAsync(
        IEnumerable<string> arguments,
        IEnumerable<KeyValuePair<string, string>>? environment = null,
        string? dll = null,
        string? logPath = null,
        CancellationToken cancellationToken = default)
    {
        // Absolute, since the server runs in the dll's directory (its content root) and a relative path would not resolve there.
        dll = Path.GetFullPath(dll ?? ServerDll);
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"server not built: {dll} (dotnet build -c Release Brax.Viewer.Server)", dll);
        }

        return await StartCommandAsync(["dotnet", dll, .. arguments], Path.GetDirectoryName(dll)!, environment, logPath, cancellationToken);
    }

    /// <summary>
    /// Starts <paramref name="command"/> (a program and its arguments, e.g. <c>taskset -c 1 node relay.mjs</c>)
    /// in <paramref name="workingDirectory"/> and returns once it logs <c>Now listening on: http://…</c>,
    /// as <see cref="StartAsync"/> does for the server.
    /// </summary>
    public static async Task<ServerProcess> StartCommandAsync(
        IReadOnlyList<string> command,
        string workingDirectory,
        IEnumerable<KeyValuePair<string, string>>? environment = null,
        string? logPath = null,
        CancellationToken cancellationToken = default)
    {
        var start = new ProcessStartInfo(command[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (var argument in command.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }

        // The address is read from the console log: no inherited URL setting may move it, and the
        // line must be in the plain format the pattern expects.
        start.Environment.Remove("ASPNETCORE_URLS");
        start.Environment["Logging__Console__FormatterName"] = "simple";
        foreach (var (key, value) in environment ?? [])
        {
            start.Environment[key] = value;
        }

        StreamWriter? log = null;
        if (logPath is not null)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(logPath))!);
            log = new StreamWriter(logPath) { AutoFlush = true };
        }

        var server = new ServerProcess(new Process { StartInfo = start }, log);
        server._process.OutputDataReceived += (_, e) => server.Collect(e.Data);
        server._process.ErrorDataReceived += (_, e) => server.Collect(e.Data);
        server._process.Start();
        server._process.BeginOutputReadLine();
        server._process.BeginErrorReadLine();
        _ = server.ReportEarlyExitAsync();

        try
        {
            server.BaseUri = await server._listening.Task.WaitAsync(StartLimit, cancellationToken);
            return server;
        }
        catch (TimeoutException)
        {
            var output = string.Join('\n', server.Output);
            await server.DisposeAsync();
            throw new TimeoutException($"the server did not log that it listens within {StartLimit.TotalSeconds:F0} s; its output:\n{output}");
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Resident memory of the server process, in bytes (VmRSS).</summary>
    public long ResidentBytes() => ProcessStats.Read(Pid).RssBytes;

    public async ValueTask DisposeAsync()
    {
        // Stopped on purpose: not an exit at start-up to report.
        _listening.TrySetCanceled();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        if (_log is not null)
        {
            await _log.DisposeAsync();
        }
    }

    private static string RepositoryRoot()
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

    private void Collect(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Add(line);
            _log?.WriteLine(line);
        }

        if (ListeningLine().Match(line) is { Success: true } match)
        {
            var address = match.Groups[1].Value
                .Replace("[::]", "127.0.0.1", StringComparison.Ordinal)
                .Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal);
            _listening.TrySetResult(new Uri(address + "/"));
        }
    }

    private async Task ReportEarlyExitAsync()
    {
        await _process.WaitForExitAsync();
        if (_listening.Task.IsCompleted)
        {
            return;
        }

        // WaitForExitAsync returns once the redirected output has been read to its end, so Output is whole.
        _listening.TrySetException(new InvalidOperationException(
            string.Create(CultureInfo.InvariantCulture, $"the server exited with code {_process.ExitCode} at start-up; its output:\n{string.Join('\n', Output)}")));
    }

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex ListeningLine();
}
