using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Brax.Viewer.Client;
using Brax.Viewer.Hubs.Diagnostics;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace Brax.Viewer.Hubs.Protocols;

/// <summary>
/// The documented <c>/ws/frame</c> protocol as a hub protocol: a text message from a streamer is a
/// <c>SendFrame</c> invocation, and a <c>ReceiveFrame</c> invocation is written as the frame's own
/// bytes. Nothing else has a raw form, so pings, completions and close messages write nothing.
/// </summary>
internal sealed class RawFrameProtocol(BadInputLog badInput)
    : RawHubProtocol(ProtocolName, FrameHubContract.SendFrame, RawEndpointContract.FramePath, BadInputReason.InvalidFrame, badInput)
{
    public const string ProtocolName = "brax.raw.frame";

    // The frame's own array goes out to every raw viewer: no copy, no re-encoding.
    public override ReadOnlyMemory<byte> GetMessageBytes(HubMessage message) =>
        message is InvocationMessage { Target: FrameHubContract.ReceiveFrame, Arguments: [Frame frame] } ? frame.Utf8Json : ReadOnlyMemory<byte>.Empty;

    protected override bool TryTranslate(ReadOnlySequence<byte> record, [NotNullWhen(true)] out object? argument, [NotNullWhen(false)] out string? error)
    {
        // A message the shim handed over is the frame's own array from here on: no copy of a megabyte per frame.
        var bytes = RawRecords.TryTakeArray(record, out var handedOver) ? handedOver : record.ToArray();
        var valid = Frame.TryWrap(bytes, out var frame, out error);
        argument = frame;
        return valid;
    }
}
