using System.Text;
using Brax.Viewer.Client;

namespace Brax.Viewer.Tests.Client;

/// <summary>JSON allows numbers no float64 holds; a frame may not carry one anywhere, as it may not carry NaN.</summary>
public sealed class FrameNumberRangeTests
{
    private static readonly string Digits400 = "1" + new string('0', 400);

    public static TheoryData<string> OutOfRange => new()
    {
        """{"x":{"pos":[[1e999,0,0]],"rot":[[1,0,0,0]]}}""",
        """{"x":{"pos":[[0,-1e999,0]],"rot":[[1,0,0,0]]}}""",
        """{"x":{"pos":[[0,0,0]],"rot":[[1,0,0,1.8E+308]]}}""",
        """{"x":{"pos":[[0,0,0]],"rot":[[1,0,0,0]],"xd":[[1e400]]}}""",
        """{"x":{"pos":[],"rot":[]},"env_id":1e999}""",
        """{"x":{"pos":[],"rot":[]},"q":{"deep":[[[-1e999]]]}}""",
        $$"""{"x":{"pos":[],"rot":[]},"qd":[{{Digits400}}]}""",
    };

    [Theory]
    [MemberData(nameof(OutOfRange))]
    public void Numbers_without_a_finite_float64_value_are_refused_wherever_they_are(string text)
    {
        Frame.TryParse(Encoding.UTF8.GetBytes(text), out var frame, out var error).Should().BeFalse();

        frame.Should().BeNull();
        error.Should().Contain("does not fit a float64");
    }

    [Theory]
    [InlineData("1.7976931348623157e308")]
    [InlineData("-1.7976931348623157E+308")]
    [InlineData("-1e-320")]
    [InlineData("1e-999")]
    [InlineData("179769313486231570000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000")]
    public void The_largest_and_smallest_float64_values_pass(string number)
    {
        var text = $$"""{"x":{"pos":[[{{number}},0,0]],"rot":[[1,0,0,0]]},"q":[{{number}}]}""";

        Frame.TryParse(Encoding.UTF8.GetBytes(text), out var frame, out var error).Should().BeTrue(error);
        frame!.ToString().Should().Be(text, "a number that fits is kept as written");
    }
}
