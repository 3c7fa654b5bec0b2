using System.Text;
using System.Text.RegularExpressions;

namespace Brax.Viewer.Tests.Robustness;

/// <summary>
/// One change to a text, described by small numbers so CsCheck can shrink it and print it:
/// <see cref="Position"/> and <see cref="Length"/> are taken modulo the text's length,
/// <see cref="Choice"/> and <see cref="Choice2"/> pick snippets from <see cref="FuzzSnippets"/>.
/// </summary>
public sealed partial record Mutation(MutationKind Kind, int Position, int Length, int Choice, int Choice2)
{
    public byte[] Apply(byte[] text, out string description)
    {
        var at = Position % (text.Length + 1);
        var span = Math.Min(1 + (Length % 16), text.Length - at);
        switch (Kind)
        {
            case MutationKind.Truncate:
                description = $"cut at {at}";
                return text[..at];
            case MutationKind.Insert:
            {
                var (name, bytes) = Pick(FuzzSnippets.Breaking, Choice);
                description = $"insert {name} at {at}";
                return [.. text[..at], .. bytes, .. text[at..]];
            }

            case MutationKind.Replace:
            {
                var (name, bytes) = Pick(FuzzSnippets.Breaking, Choice);
                description = $"replace {span} B at {at} with {name}";
                return [.. text[..at], .. bytes, .. text[(at + span)..]];
            }

            case MutationKind.SetByte when text.Length > 0:
            {
                var index = Position % text.Length;
                var copy = (byte[])text.Clone();
                copy[index] = (byte)Choice;
                description = $"byte {index} = 0x{(byte)Choice:X2}";
                return copy;
            }

            case MutationKind.Delete:
                description = $"delete {span} B at {at}";
                return [.. text[..at], .. text[(at + span)..]];
            case MutationKind.Duplicate:
                description = $"repeat {span} B at {at}";
                return [.. text[..(at + span)], .. text[at..]];
            case MutationKind.ReplaceNumber:
                return ReplaceNumber(text, out description);
            case MutationKind.AddMember:
                return AddMember(text, out description);
            case MutationKind.Append:
            {
                var (name, bytes) = Pick(FuzzSnippets.Breaking, Choice);
                description = $"append {name}";
                return [.. text, .. bytes];
            }

            default:
                description = "unchanged";
                return text;
        }
    }

    private byte[] ReplaceNumber(byte[] text, out string description)
    {
        var numbers = NumberToken().Matches(Encoding.Latin1.GetString(text));
        var (name, bytes) = Pick(FuzzSnippets.Numbers, Choice);
        if (numbers.Count == 0)
        {
            description = "no number to replace";
            return text;
        }

        var number = numbers[Position % numbers.Count];
        description = $"number {Position % numbers.Count} ({number.Value}) = {name}";
        return [.. text[..number.Index], .. bytes, .. text[(number.Index + number.Length)..]];
    }

    // Inserts NAME:VALUE, after the outer object's '{' or after the '{' of "x"'s value.
    private byte[] AddMember(byte[] text, out string description)
    {
        var (name, nameBytes) = Pick(FuzzSnippets.Names, Choice);
        var (value, valueBytes) = Pick(FuzzSnippets.Values, Choice2);
        var intoPose = Position % 2 == 1;
        var open = text.AsSpan().IndexOf((byte)'{');
        if (intoPose && text.AsSpan().IndexOf("\"x\""u8) is var x and >= 0 && text.AsSpan(x).IndexOf((byte)'{') is var inner and >= 0)
        {
            open = x + inner;
        }

        var at = open + 1;
        var closes = at < text.Length && text[at..].AsSpan().TrimStart(" \t\r\n"u8) is [(byte)'}', ..];
        description = $"add {name}:{value} to {(intoPose ? "x" : "the frame")}";
        return [.. text[..at], .. nameBytes, (byte)':', .. valueBytes, .. closes ? ""u8 : ","u8, .. text[at..]];
    }

    private static (string Name, byte[] Bytes) Pick((string Name, byte[] Bytes)[] pool, int choice) => pool[choice % pool.Length];

    [GeneratedRegex(@"(?<![\w.""])-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")]
    private static partial Regex NumberToken();
}
