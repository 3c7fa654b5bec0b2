using System.Buffers;
using System.Diagnostics.CodeAnalysis;

namespace Brax.Viewer.Hubs.Protocols;

/// <summary>
/// How raw WebSocket messages travel through the hub's input: each message is followed by a 0x1E
/// record separator (the shim refuses messages that contain one; JSON text never does). The shim
/// hands each message over as a sequence of its own (<see cref="Sequence"/>): the message's one
/// array, then the separator, so a record is found without scanning it and a frame can keep the
/// array without copying it.
/// </summary>
internal static class RawRecords
{
    public const byte Separator = 0x1E;

    private static readonly byte[] SeparatorBytes = [Separator];

    /// <summary>
    /// <paramref name="message"/> and its separator as a sequence whose first segment marks the
    /// array as handed over: whoever reads it as a record (<see cref="TryTakeArray"/>) may keep it.
    /// </summary>
    public static ReadOnlySequence<byte> Sequence(byte[] message, long runningIndex = 0)
    {
        var first = new HandedOverMessage(message, runningIndex);
        var separator = first.Append(SeparatorBytes);
        return new ReadOnlySequence<byte>(first, 0, separator, 1);
    }

    public static bool TryRead(ref ReadOnlySequence<byte> input, out ReadOnlySequence<byte> record)
    {
        // A handed-over message is one record: its length is known, so a megabyte is never scanned for its end.
        if (input.Start.GetObject() is HandedOverMessage { Next: not null } message && input.Start.GetInteger() == 0)
        {
            // Start and end in the message's own segment: one segment, as the record's readers expect
            // (a slice could end at the separator's start instead, an empty second segment).
            record = new ReadOnlySequence<byte>(message, 0, message, message.Memory.Length);
            input = input.Slice(message.Memory.Length + 1);
            return true;
        }

        var position = input.PositionOf(Separator);
        if (position is null)
        {
            record = default;
            return false;
        }

        record = input.Slice(0, position.Value);
        input = input.Slice(input.GetPosition(1, position.Value));
        return true;
    }

    /// <summary>
    /// The array under <paramref name="record"/> when it is a whole handed-over message: the caller
    /// may keep it, since the shim never touches it again. Any other record (bytes a SignalR client
    /// sent in this protocol, through a pipe whose memory is pooled) must be copied.
    /// </summary>
    public static bool TryTakeArray(ReadOnlySequence<byte> record, [NotNullWhen(true)] out byte[]? array)
    {
        if (record.Start.GetObject() is HandedOverMessage message && record.Start.GetInteger() == 0 && record.Length == message.Array.Length)
        {
            array = message.Array;
            return true;
        }

        array = null;
        return false;
    }

    private sealed class HandedOverMessage : ReadOnlySequenceSegment<byte>
    {
        public HandedOverMessage(byte[] array, long runningIndex)
        {
            Array = array;
            Memory = array;
            RunningIndex = runningIndex;
        }

        public byte[] Array { get; }

        public ReadOnlySequenceSegment<byte> Append(byte[] next)
        {
            var segment = new Tail(next, RunningIndex + Memory.Length);
            Next = segment;
            return segment;
        }
    }

    private sealed class Tail : ReadOnlySequenceSegment<byte>
    {
        public Tail(byte[] bytes, long runningIndex)
        {
            Memory = bytes;
            RunningIndex = runningIndex;
        }
    }
}
