using System.Buffers;

namespace Brax.Viewer.Hubs.Protocols;

/// <summary>
/// How raw WebSocket messages travel through the hub's input pipe: each message is followed by a
/// 0x1E record separator (the shim refuses messages that contain one; JSON text never does).
/// </summary>
internal static class RawRecords
{
    public const byte Separator = 0x1E;

    public static bool TryRead(ref ReadOnlySequence<byte> input, out ReadOnlySequence<byte> record)
    {
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
}
