using System.Buffers;
using System.Buffers.Text;

namespace Brax.Viewer.Client;

/// <summary>
/// The fast path of <see cref="FrameValidator"/>: one forward pass over the bytes of a frame with no
/// backslash in it (so no string holds an escape), proving it valid without a tokenizer, a DOM or a
/// parsed number. It accepts a subset of what <see cref="System.Text.Json.Utf8JsonReader"/> and the
/// frame rules accept: strict JSON, the frame's shape, every number with a finite float64 value. What
/// it cannot prove cheaply (nesting past <see cref="MaxDepth"/>, a number whose finiteness needs
/// parsing, any error) it leaves to the full reader, which also words the error.
/// </summary>
/// <remarks>
/// Batched frames are megabytes of numbers, validated once per frame before any viewer gets them:
/// the tokenizer's per-token bookkeeping made validation most of a relay's user-space CPU.
/// </remarks>
internal ref struct FrameScanner
{
    // Shallower than FrameValidator's limit, so whatever this accepts the reader accepts too.
    private const int MaxDepth = 32;

    // Longer numbers without an exponent may pass double.MaxValue; the reader decides those.
    private const int LongestPlainNumber = 308;

    // Integer digits plus the signed exponent up to this keep a value under 1e308, finite without parsing.
    private const int LargestSafeMagnitude = 308;

    private static readonly SearchValues<byte> StringEndOrControl = SearchValues.Create([.. Enumerable.Range(0, 0x20).Select(b => (byte)b), (byte)'"']);

    private readonly ReadOnlySpan<byte> _text;
    private int _at;

    private FrameScanner(ReadOnlySpan<byte> text)
    {
        _text = text;
        _at = 0;
    }

    /// <summary>
    /// True when <paramref name="utf8Json"/> (valid UTF-8 without a backslash) is a valid frame;
    /// <paramref name="envId"/> is its integer <c>env_id</c>, if it has one. False means "not proven":
    /// the full validator decides.
    /// </summary>
    public static bool TryProveValid(ReadOnlySpan<byte> utf8Json, out int? envId)
    {
        var scanner = new FrameScanner(utf8Json);
        return scanner.Frame(out envId);
    }

    private bool Frame(out int? envId)
    {
        envId = null;
        if (!Expect((byte)'{'))
        {
            return false;
        }

        var sawPose = false;
        SkipWhitespace();
        if (Peek() == '}')
        {
            return false;
        }

        while (true)
        {
            if (!Name(out var name))
            {
                return false;
            }

            if (name.SequenceEqual("x"u8))
            {
                if (sawPose || !Pose())
                {
                    return false;
                }

                sawPose = true;
            }
            else if (name.SequenceEqual("env_id"u8))
            {
                SkipWhitespace();
                var start = _at;
                if (!Value(1))
                {
                    return false;
                }

                // The reader's TryGetInt32: the whole token parses as an Int32.
                var token = _text[start.._at];
                if (Utf8Parser.TryParse(token, out int id, out var consumed) && consumed == token.Length)
                {
                    envId = id;
                }
            }
            else if (!Value(1))
            {
                return false;
            }

            if (!NextMember(out var ended))
            {
                return false;
            }

            if (ended)
            {
                break;
            }
        }

        SkipWhitespace();
        return sawPose && _at == _text.Length;
    }

    private bool Pose()
    {
        if (!Expect((byte)'{'))
        {
            return false;
        }

        int positions = -1, rotations = -1;
        SkipWhitespace();
        if (Peek() == '}')
        {
            return false;
        }

        while (true)
        {
            if (!Name(out var name))
            {
                return false;
            }

            if (name.SequenceEqual("pos"u8))
            {
                if (!Vectors(3, out positions))
                {
                    return false;
                }
            }
            else if (name.SequenceEqual("rot"u8))
            {
                if (!Vectors(4, out rotations))
                {
                    return false;
                }
            }
            else if (!Value(2))
            {
                return false;
            }

            if (!NextMember(out var ended))
            {
                return false;
            }

            if (ended)
            {
                return positions >= 0 && positions == rotations;
            }
        }
    }

    // [[n, n, n], …] with exactly `width` numbers in each inner array.
    private bool Vectors(int width, out int count)
    {
        count = 0;
        if (!Expect((byte)'['))
        {
            return false;
        }

        SkipWhitespace();
        if (Peek() == ']')
        {
            _at++;
            return true;
        }

        while (true)
        {
            if (!Expect((byte)'['))
            {
                return false;
            }

            for (var i = 0; i < width; i++)
            {
                if ((i > 0 && !Expect((byte)',')) || !ExpectNumber())
                {
                    return false;
                }
            }

            if (!Expect((byte)']'))
            {
                return false;
            }

            count++;
            SkipWhitespace();
            switch (Peek())
            {
                case ',':
                    _at++;
                    continue;
                case ']':
                    _at++;
                    return true;
                default:
                    return false;
            }
        }
    }

    // After a member's value: true with ended=false at a comma, ended=true at the closing brace.
    private bool NextMember(out bool ended)
    {
        SkipWhitespace();
        ended = Peek() == '}';
        if (ended || Peek() == ',')
        {
            _at++;
            return true;
        }

        return false;
    }

    // A member name and its colon; the name is the raw bytes between the quotes (no escapes here).
    private bool Name(out ReadOnlySpan<byte> name)
    {
        SkipWhitespace();
        name = default;
        if (Peek() != '"' || !String(out name))
        {
            return false;
        }

        return Expect((byte)':');
    }

    private bool String(out ReadOnlySpan<byte> content)
    {
        var start = _at + 1;
        var end = _text[start..].IndexOfAny(StringEndOrControl);
        if (end < 0 || _text[start + end] != '"')
        {
            content = default;
            return false;
        }

        content = _text.Slice(start, end);
        _at = start + end + 1;
        return true;
    }

    // Any JSON value, `depth` containers deep, every number in it finite.
    private bool Value(int depth)
    {
        SkipWhitespace();
        switch (Peek())
        {
            case '{':
                return Container(depth, (byte)'}', members: true);
            case '[':
                return Container(depth, (byte)']', members: false);
            case '"':
                return String(out _);
            case 't':
                return Literal("true"u8);
            case 'f':
                return Literal("false"u8);
            case 'n':
                return Literal("null"u8);
            default:
                return Number();
        }
    }

    private bool Container(int depth, byte close, bool members)
    {
        if (depth >= MaxDepth)
        {
            return false;
        }

        _at++;
        SkipWhitespace();
        if (Peek() == close)
        {
            _at++;
            return true;
        }

        while (true)
        {
            if ((members && !Name(out _)) || !Value(depth + 1))
            {
                return false;
            }

            SkipWhitespace();
            var next = Peek();
            _at++;
            if (next == close)
            {
                return true;
            }

            if (next != ',')
            {
                return false;
            }
        }
    }

    private bool Literal(ReadOnlySpan<byte> literal)
    {
        if (!_text[_at..].StartsWith(literal))
        {
            return false;
        }

        _at += literal.Length;
        return true;
    }

    private bool ExpectNumber()
    {
        SkipWhitespace();
        return Number();
    }

    // RFC 8259 §6: -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?, and a finite float64.
    private bool Number()
    {
        var text = _text;
        var at = _at;
        var start = at;
        if (at < text.Length && text[at] == '-')
        {
            at++;
        }

        if (at >= text.Length)
        {
            return false;
        }

        var integerStart = at;
        if (text[at] == '0')
        {
            at++;
        }
        else if (IsDigit(text[at]))
        {
            at = SkipDigits(text, at + 1);
        }
        else
        {
            return false;
        }

        var integerDigits = at - integerStart;
        if (at < text.Length && text[at] == '.')
        {
            var fraction = at + 1;
            at = SkipDigits(text, fraction);
            if (at == fraction)
            {
                return false;
            }
        }

        if (at < text.Length && (text[at] | 0x20) == 'e')
        {
            at++;
            var negative = false;
            if (at < text.Length && text[at] is (byte)'+' or (byte)'-')
            {
                negative = text[at] == '-';
                at++;
            }

            var exponentStart = at;
            at = SkipDigits(text, at);
            var exponentDigits = at - exponentStart;

            // Short exponents are summed here; the reader decides the rest (and huge negative ones).
            if (exponentDigits is 0 or > 4)
            {
                return false;
            }

            var exponent = 0;
            for (var i = exponentStart; i < at; i++)
            {
                exponent = (exponent * 10) + (text[i] - '0');
            }

            // The value is below 10^(integer digits ± exponent): a negative exponent shrinks a long
            // integer part but need not bring it under 1e308 (400 digits, then e-5).
            if (integerDigits + (negative ? -exponent : exponent) > LargestSafeMagnitude)
            {
                return false;
            }
        }
        else if (at - start > LongestPlainNumber)
        {
            return false;
        }

        _at = at;
        return true;
    }

    private static int SkipDigits(ReadOnlySpan<byte> text, int at)
    {
        while (at < text.Length && IsDigit(text[at]))
        {
            at++;
        }

        return at;
    }

    private static bool IsDigit(byte b) => (uint)(b - '0') <= 9;

    private bool Expect(byte expected)
    {
        SkipWhitespace();
        if (Peek() != expected)
        {
            return false;
        }

        _at++;
        return true;
    }

    // The byte at the cursor, or 0 at the end (0 is never valid where a token is expected).
    private readonly int Peek() => _at < _text.Length ? _text[_at] : 0;

    private void SkipWhitespace()
    {
        var text = _text;
        var at = _at;
        while (at < text.Length && text[at] is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t')
        {
            at++;
        }

        _at = at;
    }
}
