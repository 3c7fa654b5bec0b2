using Brax.Viewer.Hubs.Diagnostics;
using Microsoft.AspNetCore.SignalR;

namespace Brax.Viewer.Hubs.Fanout;

/// <summary>
/// One viewer's delivery slot: at most one write in flight, and only the newest frame waiting
/// behind it. A viewer that cannot keep up skips frames instead of queueing them, so it holds
/// about one frame of memory and never slows the streamer or anyone else.
/// </summary>
/// <remarks>
/// A write that completes synchronously (the connection's buffers had room) costs no allocation;
/// only a viewer that is behind pays for the continuation that resumes its pump.
/// </remarks>
internal sealed class ViewerMailbox(HubConnectionContext connection, HubDiagnostics diagnostics)
{
    private SerializedHubMessage? _waiting;
    private int _writing;
    private long _writeStartedAt;

    /// <summary>The groups this viewer is a member of; guarded by <see cref="ViewerGroups"/>.</summary>
    internal List<string> Groups { get; } = new(1);

    public HubConnectionContext Connection => connection;

    /// <summary>Hands the viewer a frame; an older frame still waiting is dropped.</summary>
    public void Offer(SerializedHubMessage frame)
    {
        if (Interlocked.Exchange(ref _waiting, frame) is not null)
        {
            diagnostics.FrameSkipped();
        }

        Pump();
    }

    /// <summary>Whether the write in flight started more than <paramref name="timeoutMs"/> before <paramref name="now"/>.</summary>
    public bool IsStalled(long now, long timeoutMs)
    {
        var started = Volatile.Read(ref _writeStartedAt);
        return started != 0 && now - started > timeoutMs;
    }

    private void Pump()
    {
        // Whoever wins _writing writes; everyone else only leaves their frame in _waiting.
        while (Interlocked.CompareExchange(ref _writing, 1, 0) == 0)
        {
            var next = Interlocked.Exchange(ref _waiting, null);
            if (next is null)
            {
                Volatile.Write(ref _writing, 0);
                if (Volatile.Read(ref _waiting) is null)
                {
                    return;
                }

                continue;
            }

            Volatile.Write(ref _writeStartedAt, Environment.TickCount64);
            var write = connection.WriteAsync(next);
            if (!write.IsCompleted)
            {
                _ = FinishWriteAsync(write);
                return;
            }

            Observe(write);
            WriteDone();
        }
    }

    private async Task FinishWriteAsync(ValueTask write)
    {
        try
        {
            await write;
        }
        catch (Exception)
        {
            // HubConnectionContext logs a failed write and aborts the connection itself.
        }

        WriteDone();
        Pump();
    }

    private void WriteDone()
    {
        Volatile.Write(ref _writeStartedAt, 0);
        Volatile.Write(ref _writing, 0);
    }

    private static void Observe(ValueTask completed)
    {
        try
        {
            completed.GetAwaiter().GetResult();
        }
        catch (Exception)
        {
            // As above: the connection has logged and aborted.
        }
    }
}
