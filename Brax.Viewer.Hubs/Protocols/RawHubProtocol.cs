using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.ExceptionServices;
using Brax.Viewer.Hubs.Diagnostics;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Logging;

namespace Brax.Viewer.Hubs.Protocols;

/// <summary>
/// What both raw protocols share: one raw text message in is one invocation of
/// <paramref name="target"/>; what has no raw form writes nothing. A message that does not
/// translate is reported through a throttled log and becomes a binding failure, which the
/// dispatcher drops: the parser must report a message for every record it consumes.
/// </summary>
internal abstract partial class RawHubProtocol(string name, string target, ILogger logger) : IHubProtocol
{
    private readonly LogThrottle _badInputLog = new();

    public string Name => name;

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

        if (TryTranslate(record, out var argument, out var error))
        {
            message = new InvocationMessage(target, [argument]);
            return true;
        }

        if (_badInputLog.TryEnter(out var suppressed))
        {
            Log.MessageIgnored(logger, record.Length, name, error, suppressed);
        }

        message = new InvocationBindingFailureMessage(null, target, ExceptionDispatchInfo.Capture(new InvalidDataException(error)));
        return true;
    }

    public void WriteMessage(HubMessage message, IBufferWriter<byte> output) => output.Write(GetMessageBytes(message).Span);

    public abstract ReadOnlyMemory<byte> GetMessageBytes(HubMessage message);

    /// <summary>The argument of the invocation that <paramref name="record"/> stands for, or why it stands for none.</summary>
    protected abstract bool TryTranslate(ReadOnlySequence<byte> record, [NotNullWhen(true)] out object? argument, [NotNullWhen(false)] out string? error);

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.MessageIgnored, EventName = nameof(EventIds.MessageIgnored), Level = LogLevel.Warning, Message = "Ignored a {Length}-byte {Protocol} message: {Reason}. ({Suppressed} similar reports suppressed before this one.)")]
        public static partial void MessageIgnored(ILogger logger, long length, string protocol, string reason, long suppressed);
    }
}
