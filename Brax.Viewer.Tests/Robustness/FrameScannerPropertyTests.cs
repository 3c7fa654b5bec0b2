using System.Text;
using System.Text.Unicode;
using Brax.Viewer.Client;
using Brax.Viewer.Tests.Infrastructure;
using CsCheck;

namespace Brax.Viewer.Tests.Robustness;

/// <summary>
/// <see cref="FrameScanner"/>, the validator's fast path, may only say "valid" where the reader says
/// so too, with the same <c>env_id</c>; and it must take the common frame, or it buys nothing.
/// </summary>
public sealed class FrameScannerPropertyTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public void Every_fixture_frame_and_every_generated_load_frame_takes_the_fast_path()
    {
        foreach (var bytes in FuzzGen.FixtureFrames.Select(Trimmed))
        {
            FrameScanner.TryProveValid(bytes, out _).Should().BeTrue(FuzzCase.Preview(bytes, 200));
        }

        foreach (var size in new[] { 1_700, 150_000, 1_000_000 })
        {
            var bytes = BatchedFrames.Json(size);
            FrameScanner.TryProveValid(bytes, out _).Should().BeTrue($"a {size}-byte load frame is common");
        }
    }

    [Fact]
    public void What_the_scanner_proves_valid_the_reader_accepts_with_the_same_env_id()
    {
        long proven = 0, total = 0;
        FuzzGen.Frames.Sample(
            frame =>
            {
                Interlocked.Increment(ref total);
                if (!AgreesWithReader(frame.Bytes))
                {
                    return false;
                }

                if (Utf8.IsValid(frame.Bytes) && frame.Bytes.AsSpan().IndexOf((byte)'\\') < 0 && FrameScanner.TryProveValid(frame.Bytes, out _))
                {
                    Interlocked.Increment(ref proven);
                }

                return true;
            },
            writeLine: output.WriteLine,
            iter: 50_000,
            print: frame => frame.ToString());

        output.WriteLine($"{proven} of {total} fuzzed frames proven valid by the scanner");
        proven.Should().BeGreaterThan(total / 50, "the property is only tested on what the scanner accepts");
    }

    [Theory]
    [InlineData("""{"x":{"pos":[[1e308,0,0]],"rot":[[1,0,0,0]]}}""")]
    [InlineData("""{"x":{"pos":[[1e309,0,0]],"rot":[[1,0,0,0]]}}""")]
    [InlineData("""{"x":{"pos":[[12e307,0,0]],"rot":[[1,0,0,0]]}}""")]
    [InlineData("""{"x":{"pos":[[1e-99999,0,0]],"rot":[[1,0,0,0]]}}""")]
    [InlineData("""{"x":{"pos":[[1e-400,0,0]],"rot":[[1,0,0,0]]}}""")]
    [InlineData("""{"x":{"pos":[[1E+5,-0,0.0]],"rot":[[1,0,0,0]]}}""")]
    [InlineData("""{"x":{"pos":[[01,0,0]],"rot":[[1,0,0,0]]}}""")]
    [InlineData("""{"x":{"pos":[[1.,0,0]],"rot":[[1,0,0,0]]}}""")]
    [InlineData("""{"x":{"pos":[[-,0,0]],"rot":[[1,0,0,0]]}}""")]
    [InlineData("""{"x":{"pos":[],"rot":[]},"env_id":7}""")]
    [InlineData("""{"x":{"pos":[],"rot":[]},"env_id":7.0}""")]
    [InlineData("""{"x":{"pos":[],"rot":[]},"env_id":-0}""")]
    [InlineData("""{"x":{"pos":[],"rot":[]},"env_id":99999999999}""")]
    [InlineData("""{"x":{"pos":[],"rot":[]},"env_id":"7"}""")]
    [InlineData("""{"x":{"pos":[],"rot":[]},"env_id":1,"env_id":2}""")]
    [InlineData("""{"x":{"pos":[],"rot":[],"pos":[[1,2,3]]}}""")]
    [InlineData("""{"x":{"pos":[],"rot":[]},"a":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}""")]
    [InlineData("""{"x":{"pos":[],"rot":[]},"a":"tab	inside"}""")]
    [InlineData("""{"x":{"pos":[],"rot":[]},"a":[1,]}""")]
    [InlineData("""{"x":{"pos":[],"rot":[]},"a":{"b":1,}}""")]
    [InlineData("""{"x":{"pos":[],"rot":[]},"a":tru}""")]
    [InlineData("""{"x":{"pos":[],"rot":[]}} """)]
    [InlineData("""{"x":{"pos":[],"rot":[]}} x""")]
    [InlineData(""" {"x":{"pos":[],"rot":[]},"a":[true,false,null,{},[],"s"]}""")]
    public void Edge_cases_agree_with_the_reader(string text) =>
        AgreesWithReader(Encoding.UTF8.GetBytes(text)).Should().BeTrue(text);

    [Theory]
    [InlineData(400, "e-5")]
    [InlineData(310, "e-1")]
    [InlineData(320, "E-20")]
    [InlineData(300, ".5e8")]
    [InlineData(300, "e9")]
    public void A_long_integer_part_with_an_exponent_agrees_with_the_reader(int digits, string rest)
    {
        var number = "9" + new string('0', digits - 1) + rest;
        var text = $$$"""{"x":{"pos":[[{{{number}}},0,0]],"rot":[[1,0,0,0]]}}""";
        AgreesWithReader(Encoding.UTF8.GetBytes(text)).Should().BeTrue(number);
    }

    private static bool AgreesWithReader(byte[] bytes)
    {
        if (!Utf8.IsValid(bytes) || bytes.AsSpan().IndexOf((byte)'\\') >= 0 || !FrameScanner.TryProveValid(bytes, out var envId))
        {
            return true;
        }

        return FrameValidator.ValidateWithReader(bytes, out var readerEnvId) is null && readerEnvId == envId;
    }

    private static byte[] Trimmed(byte[] bytes) => bytes.AsSpan().Trim(" \t\r\n"u8).ToArray();
}
