using System.Net.Sockets;
using System.Text;
using Brax.Viewer.Tests.Infrastructure;

namespace Brax.Viewer.Tests.JavaScript;

/// <summary>
/// Where a Node test asks for its server to be stopped or started again: a Unix socket on which it
/// writes <c>stop</c> or <c>start</c> as a line and reads <c>ok</c> (or <c>error: …</c>) once it
/// is done. <c>node --test</c> runs each test file in a child process whose standard streams belong
/// to the runner, so the Python tests' way, lines on standard output, does not reach this side.
/// </summary>
internal sealed class ServerCommandSocket : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly RestartableServer _server;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private readonly string _directory;

    public ServerCommandSocket(RestartableServer server)
    {
        _server = server;
        _directory = Directory.CreateTempSubdirectory("brax-js-").FullName;
        Path = System.IO.Path.Combine(_directory, "server.sock");
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(Path));
        _listener.Listen();
        _accepting = AcceptAsync();
    }

    /// <summary>The socket's path, for the test's environment.</summary>
    public string Path { get; }

    /// <summary>What went wrong while serving a request, for the test's failure message.</summary>
    public List<string> Errors { get; } = [];

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptAsync(_stop.Token);
                _ = ServeAsync(client);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task ServeAsync(Socket client)
    {
        try
        {
            await AnswerAsync(client);
        }
        catch (Exception error) when (error is OperationCanceledException or IOException or SocketException)
        {
            // The test process ended, or the test is over.
        }
        finally
        {
            client.Dispose();
        }
    }

    private async Task AnswerAsync(Socket client)
    {
        await using (var stream = new NetworkStream(client, ownsSocket: false))
        using (var reader = new StreamReader(stream, Encoding.UTF8))
        await using (var writer = new StreamWriter(stream, new UTF8Encoding(false)) { AutoFlush = true, NewLine = "\n" })
        {
            while (await reader.ReadLineAsync(_stop.Token) is { } line)
            {
                string answer;
                try
                {
                    await _server.HandleAsync(line.Trim());
                    answer = "ok";
                }
                catch (Exception error)
                {
                    answer = "error: " + error.Message;
                    lock (Errors)
                    {
                        Errors.Add(error.Message);
                    }
                }

                await writer.WriteLineAsync(answer);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        await _accepting;
        _stop.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
