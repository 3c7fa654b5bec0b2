using System.Text;

namespace Brax.Viewer.Tests.Robustness;

/// <summary>
/// One generated input: its bytes and how they were made, printed when a property fails (CsCheck
/// prints the case and the seed that reproduces it).
/// </summary>
public sealed record FuzzCase(string Description, byte[] Bytes)
{
    /// <summary>The description and the bytes, non-ASCII and control bytes escaped, cut to 300 bytes.</summary>
    public override string ToString() => $"{Description} ({Bytes.Length} B): {Preview(Bytes, 300)}";

    public static string Preview(ReadOnlySpan<byte> bytes, int max)
    {
        var text = new StringBuilder();
        foreach (var b in bytes[..Math.Min(bytes.Length, max)])
        {
            text.Append(b is >= 0x20 and < 0x7F ? ((char)b).ToString() : $"\\x{b:X2}");
        }

        return bytes.Length > max ? text.Append('…').ToString() : text.ToString();
    }
}
