using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.ExceptionServices;
using Brax.Viewer.Client;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Logging;

namespace Brax.Viewer.Hubs.Protocols;

/// <summary>
/// The documented <c>/ws/frame</c> protocol as a hub protocol: a text message from a streamer is a
/// <c>SendFrame</c> invocation, and a <c>ReceiveFrame</c> invocation is written as the frame's own
/// bytes. Nothing else has a raw form, so pings, completions and close messages write nothing.
/// </summary>
internal sealed partial class RawFrameProtocol(ILogger<RawFrameProtocol> logger) : IHubProtocol
{
    public const string ProtocolName = "brax.raw.frame";

    private readonly LogThrottle _badInputLog = new();

    public string Name => ProtocolName;

    public int Version => 1;

    public TransferFormat TransferFormat => TransferFormat.Text;

    public bool IsVersionSupported(int version) => version == Version;

    public bool TryParseMessage(ref ReadOnlySequence<byte> input, IInvocationBinder binder, [NotNullWhen(true)] out HubMessage? message)
    {
        if (!RawRecords.TryRead(ref input, out var record))
        {
            message = null;
            return false;
        }

        if (Frame.TryWrap(record.ToArray(), out var frame, out var error))
        {
            message = new InvocationMessage(FrameHubContract.SendFrame, [frame]);
            return true;
        }

        if (_badInputLog.TryEnter(out var suppressed))
        {
            Log.InvalidFrame(logger, record.Length, error, suppressed);
        }

        // A record was consumed, so the parser must report a message: the dispatcher drops this one.
        message = new InvocationBindingFailureMessage(null, FrameHubContract.SendFrame, ExceptionDispatchInfo.Capture(new InvalidDataException(error)));
        return true;
    }

    public void WriteMessage(HubMessage message, IBufferWriter<byte> output)
    {
        if (AsFrame(message) is { } frame)
        {
            output.Write(frame.Utf8Json.Span);
        }
    }

    // The frame's own array goes out to every raw viewer: no copy, no re-encoding.
    public ReadOnlyMemory<byte> GetMessageBytes(HubMessage message) => AsFrame(message)?.Utf8Json ?? ReadOnlyMemory<byte>.Empty;

    private static Frame? AsFrame(HubMessage message) =>
        message is InvocationMessage { Target: FrameHubContract.ReceiveFrame, Arguments: [Frame frame] } ? frame : null;

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Ignored a {Length}-byte message from a raw streamer that is not a frame: {Reason}. ({Suppressed} similar reports suppressed before this one.)")]
        public static partial void InvalidFrame(ILogger logger, long length, string reason, long suppressed);
    }
}
