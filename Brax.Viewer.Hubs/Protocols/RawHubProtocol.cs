using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.ExceptionServices;
using Brax.Viewer.Hubs.Diagnostics;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace Brax.Viewer.Hubs.Protocols;

/// <summary>
/// What both raw protocols share: one raw text message in is one invocation of
/// <paramref name="target"/>; what has no raw form writes nothing. A message that does not
/// translate is reported to <see cref="BadInputLog"/> under <paramref name="endpoint"/>, the raw
/// endpoint that speaks this protocol (so it shares that endpoint's throttle with what the shim
/// reports), counted as <paramref name="untranslatable"/>, and becomes a binding failure, which the dispatcher drops (logging it at Debug only):
/// the parser must report a message for every record it consumes.
/// </summary>
internal abstract class RawHubProtocol(string name, string target, string endpoint, BadInputReason untranslatable, BadInputLog badInput) : IHubProtocol
{
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

        badInput.Report(endpoint, record.Length, untranslatable, error);
        message = new InvocationBindingFailureMessage(null, target, ExceptionDispatchInfo.Capture(new InvalidDataException(error)));
        return true;
    }

    public void WriteMessage(HubMessage message, IBufferWriter<byte> output) => output.Write(GetMessageBytes(message).Span);

    public abstract ReadOnlyMemory<byte> GetMessageBytes(HubMessage message);

    /// <summary>The argument of the invocation that <paramref name="record"/> stands for, or why it stands for none.</summary>
    protected abstract bool TryTranslate(ReadOnlySequence<byte> record, [NotNullWhen(true)] out object? argument, [NotNullWhen(false)] out string? error);
}
