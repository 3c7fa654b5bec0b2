using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Brax.Viewer.Client;
using Brax.Viewer.Tests.Infrastructure;
using MessagePack;

namespace Brax.Viewer.Tests.Client;

public sealed class FrameTests
{
    public static TheoryData<string> FixtureScenes => new(BraxFixtures.Scenes);

    [Theory]
    [MemberData(nameof(FixtureScenes))]
    public void Every_fixture_frame_is_valid_and_kept_byte_for_byte(string scene)
    {
        foreach (var line in BraxFixtures.Frames(scene))
        {
            Frame.Parse(line).Utf8Json.ToArray().Should().Equal(Encoding.UTF8.GetBytes(line));
        }
    }

    [Theory]
    [InlineData("""{"x":{"pos":[[0,0,0]]}}""", "both \"pos\" and \"rot\"")]
    [InlineData("""{"x":{"pos":[[0,0,0]],"rot":[]}}""", "one entry per body")]
    [InlineData("""{"x":{"pos":[[0,0,"0"]],"rot":[[1,0,0,0]]}}""", "x.pos")]
    [InlineData("""{"x":{"pos":[[0,0,0]],"rot":[[1,0,0]]}}""", "x.rot")]
    [InlineData("""{"x":[],"y":1}""", "\"x\" must be an object")]
    [InlineData("""{"pos":[]}""", "needs an \"x\" member")]
    [InlineData("""{"x":{"pos":[[NaN,0,0]],"rot":[[1,0,0,0]]}}""", "not valid JSON")]
    [InlineData("""{"x":{"pos":[],"rot":[]},"x":{"pos":[],"rot":[]}}""", "exactly one")]
    [InlineData("""{"x":{"pos":[],"rot":[]}}{}""", "not valid JSON")]
    [InlineData("""3""", "JSON object")]
    public void Invalid_frames_are_refused_with_the_reason(string text, string reason)
    {
        Frame.TryParse(Encoding.UTF8.GetBytes(text), out var frame, out var error).Should().BeFalse();
        frame.Should().BeNull();
        error.Should().Contain(reason);
    }

    [Fact]
    public void MessagePack_round_trip_keeps_every_value_and_integers_stay_integers()
    {
        const string text = """{"x":{"pos":[[0.1,-2.5e-300,1.7976931348623157e308]],"rot":[[1,0,0,0]]},"env_id":3,"big":18446744073709551615,"neg":-9223372036854775808,"s":"a/b \u00e9","t":true,"n":null,"o":{}}""";
        var frame = Frame.Parse(text);

        var packed = MessagePackSerializer.Serialize(frame);
        var back = MessagePackSerializer.Deserialize<Frame>(packed)!;

        JsonNode.DeepEquals(JsonNode.Parse(back.ToString()), JsonNode.Parse(text)).Should().BeTrue();
        MessagePackSerializer.ConvertToJson(packed).Should().Contain("\"env_id\":3");
        using var roundTripped = JsonDocument.Parse(back.ToString());
        roundTripped.RootElement.GetProperty("x").GetProperty("pos")[0][0].GetDouble().Should().Be(0.1);
    }

    [Fact]
    public void MessagePack_frames_without_a_JSON_form_are_refused()
    {
        var packed = MessagePackSerializer.Serialize(new Dictionary<string, object> { ["x"] = new Dictionary<string, object> { ["pos"] = new[] { new[] { double.NaN, 0, 0 } }, ["rot"] = new[] { new[] { 1.0, 0, 0, 0 } } } });

        var read = () => MessagePackSerializer.Deserialize<Frame>(packed);

        read.Should().Throw<MessagePackSerializationException>();
    }

    [Fact]
    public void JSON_serialisation_writes_the_frame_text_unchanged()
    {
        const string text = """{ "x" : {"pos":[[1.50,2,3]], "rot":[[1,0,0,0]]} }""";

        JsonSerializer.Serialize(new { frame = Frame.Parse(text) }).Should().Be("{\"frame\":" + text + "}");
        JsonSerializer.Deserialize<Frame>(text)!.ToString().Should().Be(text);
    }

    [Fact]
    public void FromPose_builds_a_valid_frame()
    {
        var frame = Frame.FromPose([[0.1, 0.2, 0.3]], [[1, 0, 0, 0]], envId: 2);

        frame.ToString().Should().Be("""{"x":{"pos":[[0.1,0.2,0.3]],"rot":[[1,0,0,0]]},"env_id":2}""");
    }
}
