using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Brax.Viewer.Tests.Robustness;

/// <summary>
/// One RFC 6455 frame exactly as described, right or wrong: the first byte (FIN, RSV1–3,
/// opcode) as given, masked or not, with the payload's true length unless
/// <paramref name="declaredLength"/> says otherwise.
/// </summary>
internal static class WireFrame
{
    public static byte[] Build(byte first, byte[] payload, bool masked = true, ulong? declaredLength = null)
    {
        var length = declaredLength ?? (ulong)payload.Length;
        var frame = new List<byte> { first };
        var maskBit = masked ? (byte)0x80 : (byte)0;
        if (length < 126)
        {
            frame.Add((byte)(maskBit | (byte)length));
        }
        else if (length <= ushort.MaxValue)
        {
            frame.Add((byte)(maskBit | 126));
            var extended = new byte[2];
            BinaryPrimitives.WriteUInt16BigEndian(extended, (ushort)length);
            frame.AddRange(extended);
        }
        else
        {
            frame.Add((byte)(maskBit | 127));
            var extended = new byte[8];
            BinaryPrimitives.WriteUInt64BigEndian(extended, length);
            frame.AddRange(extended);
        }

        if (!masked)
        {
            frame.AddRange(payload);
            return [.. frame];
        }

        var mask = RandomNumberGenerator.GetBytes(4);
        frame.AddRange(mask);
        frame.AddRange(payload.Select((b, i) => (byte)(b ^ mask[i % 4])));
        return [.. frame];
    }
}
