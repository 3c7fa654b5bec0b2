using System.Text;

namespace Brax.Viewer.Tests.Robustness;

/// <summary>
/// The pieces the fuzzers splice into good input: each is something a broken or hostile client
/// has been seen to send, or a corner of JSON, UTF-8 or the raw framing (0x1E) that a parser gets wrong.
/// </summary>
internal static class FuzzSnippets
{
    /// <summary>A 400-digit integer: valid JSON, beyond every fixed-width number type.</summary>
    public static readonly string HugeInteger = "1" + new string('7', 399);

    /// <summary>Pieces that break a text anywhere they land (bad bytes, structure, nesting).</summary>
    public static readonly (string Name, byte[] Bytes)[] Breaking =
    [
        ("0x1E", [0x1E]),
        ("NUL", [0x00]),
        ("0xFF", [0xFF]),
        ("overlong NUL C0 80", [0xC0, 0x80]),
        ("raw lone surrogate ED A0 80", [0xED, 0xA0, 0x80]),
        ("beyond U+10FFFF F4 90 80 80", [0xF4, 0x90, 0x80, 0x80]),
        ("cut UTF-8 sequence E2 82", [0xE2, 0x82]),
        ("UTF-8 BOM", [0xEF, 0xBB, 0xBF]),
        ("escaped lone surrogate", Utf8("\"\\ud800\"")),
        ("escaped reversed pair", Utf8("\"\\udc00\\ud800\"")),
        ("bare escape", Utf8("\\ud800")),
        ("bad escape", Utf8("\"\\x41\"")),
        ("1e999", Utf8("1e999")),
        ("-1e999", Utf8("-1e999")),
        ("400-digit integer", Utf8(HugeInteger)),
        ("NaN", Utf8("NaN")),
        ("Infinity", Utf8("Infinity")),
        ("-Infinity", Utf8("-Infinity")),
        ("10,000 [", Utf8(new string('[', 10_000))),
        ("10,000 {\"a\":", Utf8(string.Concat(Enumerable.Repeat("{\"a\":", 10_000)))),
        ("]", Utf8("]")),
        ("}", Utf8("}")),
        (",", Utf8(",")),
        (":", Utf8(":")),
        ("quote", Utf8("\"")),
        ("backslash", Utf8("\\")),
        ("null", Utf8("null")),
        ("true", Utf8("true")),
        ("tab", Utf8("\t")),
        ("raw newline in a string", Utf8("\"a\nb\"")),
        ("second value", Utf8(" {}")),
        ("garbage", Utf8("garbage")),
        ("comment", Utf8("/* c */")),
        ("single quotes", Utf8("'x'")),
    ];

    /// <summary>Numbers that are valid JSON; some have no finite float64 value.</summary>
    public static readonly (string Name, byte[] Bytes)[] Numbers =
    [
        ("1e999", Utf8("1e999")),
        ("-1e999", Utf8("-1e999")),
        ("1E+309", Utf8("1E+309")),
        ("400-digit integer", Utf8(HugeInteger)),
        ("-400-digit integer", Utf8("-" + HugeInteger)),
        ("400-digit fraction", Utf8("0." + HugeInteger)),
        ("1e-999", Utf8("1e-999")),
        ("max double", Utf8("1.7976931348623157e308")),
        ("min subnormal", Utf8("4.9e-324")),
        ("-0", Utf8("-0")),
        ("2^64", Utf8("18446744073709551616")),
        ("2^63", Utf8("9223372036854775808")),
        ("-2^63-1", Utf8("-9223372036854775809")),
        ("int overflow env", Utf8("2147483648")),
        ("0", Utf8("0")),
    ];

    /// <summary>JSON values a frame or control message may carry in a member nobody reads.</summary>
    public static readonly (string Name, byte[] Bytes)[] Values =
    [
        ("escaped lone surrogate string", Utf8("\"\\ud800\"")),
        ("escaped low surrogate string", Utf8("\"a\\udfffb\"")),
        ("escaped pair string", Utf8("\"\\ud83d\\ude00\"")),
        ("raw lone surrogate string", [(byte)'"', 0xED, 0xA0, 0x80, (byte)'"']),
        ("invalid UTF-8 string", [(byte)'"', 0xFF, 0xFE, (byte)'"']),
        ("overlong UTF-8 string", [(byte)'"', 0xC0, 0xAF, (byte)'"']),
        ("valid UTF-8 string", Utf8("\"Grüße 🦾\"")),
        ("escaped NUL string", Utf8("\"\\u0000\"")),
        ("1e999", Utf8("1e999")),
        ("400-digit integer", Utf8(HugeInteger)),
        ("nested 61 arrays", Utf8(new string('[', 61) + new string(']', 61))),
        ("nested 62 arrays", Utf8(new string('[', 62) + new string(']', 62))),
        ("nested 63 arrays", Utf8(new string('[', 63) + new string(']', 63))),
        ("nested 64 arrays", Utf8(new string('[', 64) + new string(']', 64))),
        ("nested 10,000 arrays", Utf8(new string('[', 10_000) + new string(']', 10_000))),
        ("object", Utf8("{\"a\":[1,2,{\"b\":null}]}")),
        ("empty string", Utf8("\"\"")),
        ("null", Utf8("null")),
        ("false", Utf8("false")),
    ];

    /// <summary>Member names, including the ones the server reads and names no UTF-16 string can hold.</summary>
    public static readonly (string Name, byte[] Bytes)[] Names =
    [
        ("x", Utf8("\"x\"")),
        ("pos", Utf8("\"pos\"")),
        ("rot", Utf8("\"rot\"")),
        ("env_id", Utf8("\"env_id\"")),
        ("type", Utf8("\"type\"")),
        ("enabled", Utf8("\"enabled\"")),
        ("escaped x", Utf8("\"\\u0078\"")),
        ("escaped lone surrogate name", Utf8("\"\\ud800\"")),
        ("raw lone surrogate name", [(byte)'"', 0xED, 0xA0, 0x80, (byte)'"']),
        ("invalid UTF-8 name", [(byte)'"', 0xFF, (byte)'"']),
        ("other", Utf8("\"q\"")),
    ];

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
