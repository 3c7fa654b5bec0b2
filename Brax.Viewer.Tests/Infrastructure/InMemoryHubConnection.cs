using System.Buffers;
using System.IO.Pipelines;
using System.Reflection;
using System.Text;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Logging.Abstractions;

namespace Brax.Viewer.Tests.Infrastructure;

/// <summary>
/// A real <see cref="HubConnectionContext"/> speaking the JSON hub protocol over an in-memory
/// transport, for the fan-out types that write to hub connections (<c>ViewerMailbox</c>,
/// <c>ViewerGroups</c>) without a socket or a server. What the connection writes goes into a
/// <see cref="Pipe"/> that the test reads with <see cref="ReadRecordAsync"/>; a writer that pauses
/// at the first unread byte makes every write wait until the test reads, so a backlog builds up
/// exactly as the test offers frames.
/// </summary>
/// <remarks>
/// Framework assumption: <see cref="HubConnectionContext.Protocol"/> has a non-public setter. A
/// real connection gets its protocol from the handshake, which this one skips, and there is no
/// public way to set it; the setter is called by reflection. If a framework version drops that
/// setter, <see cref="Create"/> fails with a message saying so rather than leaving a connection
/// that cannot write.
/// </remarks>
internal sealed class InMemoryHubConnection : IDuplexPipe
{
    private const byte RecordSeparator = 0x1E;

    private readonly Pipe _input = new();
    private readonly Pipe _output;

    /// <param name="holdWrites">
    /// True: each write waits until the test has read everything written before it (the viewer is
    /// slow exactly as long as the test does not read). False: the transport always has room (up to
    /// the pipe's default 64 KiB), so writes complete at once (a viewer that keeps up).
    /// </param>
    public InMemoryHubConnection(bool holdWrites)
    {
        _output = new Pipe(holdWrites
            ? new PipeOptions(pauseWriterThreshold: 1, resumeWriterThreshold: 1, useSynchronizationContext: false)
            : new PipeOptions(useSynchronizationContext: false));
        Context = Create(this);
    }

    public HubConnectionContext Context { get; }

    PipeReader IDuplexPipe.Input => _input.Reader;

    PipeWriter IDuplexPipe.Output => _output.Writer;

    /// <summary>A hub connection over <paramref name="transport"/> that writes the JSON hub protocol.</summary>
    public static HubConnectionContext Create(IDuplexPipe transport)
    {
        var connection = new HubConnectionContext(
            new DefaultConnectionContext(Guid.NewGuid().ToString(), transport, transport),
            new HubConnectionContextOptions { KeepAliveInterval = TimeSpan.FromSeconds(15), ClientTimeoutInterval = TimeSpan.FromSeconds(30) },
            NullLoggerFactory.Instance);
        var setter = typeof(HubConnectionContext).GetProperty(nameof(HubConnectionContext.Protocol), BindingFlags.Instance | BindingFlags.Public)?.GetSetMethod(nonPublic: true)
            ?? throw new InvalidOperationException("HubConnectionContext.Protocol no longer has a setter: this framework version needs another way to give a test connection its protocol.");
        setter.Invoke(connection, [new JsonHubProtocol()]);
        return connection;
    }

    /// <summary>The next message the connection wrote: the text of one JSON hub protocol record, without its separator.</summary>
    public async Task<string> ReadRecordAsync(TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        var reader = _output.Reader;
        while (true)
        {
            var result = await reader.ReadAsync(cancel.Token);
            var buffer = result.Buffer;
            if (buffer.PositionOf(RecordSeparator) is { } end)
            {
                var text = Encoding.UTF8.GetString(buffer.Slice(0, end));

                // Consuming the record is what lets a held write complete.
                reader.AdvanceTo(buffer.GetPosition(1, end));
                return text;
            }

            if (result.IsCompleted)
            {
                throw new InvalidOperationException("the connection's output ended in the middle of a record");
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }
}
