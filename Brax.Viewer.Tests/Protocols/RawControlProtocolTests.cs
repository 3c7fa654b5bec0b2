using System.Buffers;
using System.Diagnostics.Metrics;
using System.Text;
using Brax.Viewer.Client;
using Brax.Viewer.Hubs.Diagnostics;
using Brax.Viewer.Hubs.Protocols;
using Brax.Viewer.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Brax.Viewer.Tests.Protocols;

/// <summary>
/// The documented <c>/ws/control</c> messages as the control hub's protocol: what a raw client
/// sends becomes a <c>ToggleRender</c> invocation or a binding failure (which the hub drops), and
/// what the hub sends is written as the documented JSON. Records arrive separated by 0x1E, as the
/// raw shim puts them into the hub's input pipe.
/// </summary>
public sealed class RawControlProtocolTests : IDisposable
{
    private readonly CapturingLoggerProvider _logs = new();
    private readonly ILoggerFactory _loggerFactory;
    private readonly ServiceProvider _meters;
    private readonly RawControlProtocol _protocol;

    public RawControlProtocolTests()
    {
        _loggerFactory = LoggerFactory.Create(logging => logging.AddProvider(_logs));
        _meters = new ServiceCollection().AddMetrics().BuildServiceProvider();
        _protocol = new RawControlProtocol(new BadInputLog(_loggerFactory.CreateLogger<BadInputLog>(), TimeProvider.System, new ViewerMetrics(_meters.GetRequiredService<IMeterFactory>(), new HubDiagnostics())));
    }

    public void Dispose()
    {
        _loggerFactory.Dispose();
        _meters.Dispose();
    }

    [Theory]
    [InlineData("""{"type":"toggle_render","enabled":true}""", true)]
    [InlineData("""{"type":"toggle_render","enabled":false}""", false)]
    [InlineData("""{ "type" : "toggle_render" ,  "enabled" : false }""", false)]
    public void Toggle_becomes_a_ToggleRender_invocation(string text, bool enabled)
    {
        var message = ParseOne(text);

        var invocation = message.Should().BeOfType<InvocationMessage>().Subject;
        invocation.Target.Should().Be(ControlHubContract.ToggleRender);
        invocation.Arguments.Should().Equal(enabled);
        _logs.Entries.Should().BeEmpty();
    }

    [Theory]
    [InlineData("""{"enabled":true,"type":"toggle_render"}""", true)]
    [InlineData("""{"enabled":false,"sender":"page","type":"toggle_render"}""", false)]
    [InlineData("""{"type":"toggle_render","extra":{"nested":[1,{"enabled":false}]},"enabled":true}""", true)]
    public void Members_in_any_order_and_members_it_does_not_know_still_make_a_toggle(string text, bool enabled)
    {
        // As in the original server, which read "type" and "enabled" from the decoded object and
        // nothing else: order is not part of JSON, and extra members are the sender's business.
        var invocation = ParseOne(text).Should().BeOfType<InvocationMessage>().Subject;

        invocation.Target.Should().Be(ControlHubContract.ToggleRender);
        invocation.Arguments.Should().Equal(enabled);
    }

    [Theory]
    [InlineData("""{"type":"toggle_render","enabled":tru""")]
    [InlineData("""{"type":"toggle_render","enabled":true""")]
    [InlineData("""{"type":"toggle_render","enabled":true} trailing""")]
    [InlineData("""{"type":"toggle_render","enabled":{"value":[1,""")]
    [InlineData("""  """)]
    public void A_bad_record_split_across_segments_is_a_binding_failure_not_an_exception(string text)
    {
        // Split one byte per segment, the record ends where the separator's segment starts: an empty last segment.
        var sequence = OneSegmentPerByte(Encoding.UTF8.GetBytes(Records(text)));

        _protocol.TryParseMessage(ref sequence, new UnusedBinder(), out var message).Should().BeTrue();

        message.Should().BeOfType<InvocationBindingFailureMessage>();
        sequence.IsEmpty.Should().BeTrue();
    }

    [Theory]
    [InlineData("""{"type":"toggle_render","enabled":"true"}""", "\"enabled\" must be a JSON boolean")]
    [InlineData("""{"type":"toggle_render","enabled":1}""", "\"enabled\" must be a JSON boolean")]
    [InlineData("""{"type":"toggle_render","enabled":null}""", "\"enabled\" must be a JSON boolean")]
    [InlineData("""{"type":"toggle_render","enabled":{"value":true}}""", "\"enabled\" must be a JSON boolean")]
    [InlineData("""{"type":"toggle_render"}""", "\"enabled\" must be a JSON boolean")]
    [InlineData("""{"type":"make_coffee","enabled":true}""", "unknown control message type 'make_coffee'")]
    [InlineData("""{"type":"TOGGLE_RENDER","enabled":true}""", "unknown control message type")]
    [InlineData("""{"type":1,"enabled":true}""", "unknown control message type")]
    [InlineData("""{"enabled":true}""", "unknown control message type")]
    [InlineData("""[{"type":"toggle_render","enabled":true}]""", "must be a JSON object")]
    [InlineData("""true""", "must be a JSON object")]
    [InlineData("""  """, "not valid JSON")]
    [InlineData("", "not valid JSON")]
    [InlineData("""not json""", "not valid JSON")]
    [InlineData("""{"type":"toggle_render","enabled":tru""", "not valid JSON")]
    [InlineData("""{"type":"toggle_render","enabled":true""", "not valid JSON")]
    [InlineData("""{"type":"toggle_render","enabled":NaN}""", "not valid JSON")]
    [InlineData("""{"type":"toggle_render","enabled":true} trailing""", "not valid JSON")]
    [InlineData("""{"type":"toggle_render","enabled":true}{"type":"toggle_render","enabled":false}""", "not valid JSON")]
    public void Anything_else_is_a_binding_failure_with_the_reason_and_a_warning_not_an_exception(string text, string reason)
    {
        var message = ParseOne(text);

        var failure = message.Should().BeOfType<InvocationBindingFailureMessage>().Subject;
        failure.Target.Should().Be(ControlHubContract.ToggleRender, "the hub drops a binding failure for its own method");
        failure.BindingFailure.SourceException.Message.Should().Contain(reason);
        _logs.Entries.Should().ContainSingle(entry => entry.Level == LogLevel.Warning)
            .Which.Message.Should().Contain(reason);
    }

    [Fact]
    public void Several_records_in_one_buffer_parse_one_by_one_and_a_partial_record_waits()
    {
        var input = Records("""{"type":"toggle_render","enabled":false}""", "nonsense", """{"type":"toggle_render","enabled":true}""") + """{"type":"toggle_""";
        var sequence = new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(input));

        var parsed = new List<HubMessage>();
        while (_protocol.TryParseMessage(ref sequence, new UnusedBinder(), out var message))
        {
            parsed.Add(message);
        }

        parsed.Should().HaveCount(3);
        parsed[0].Should().BeOfType<InvocationMessage>().Which.Arguments.Should().Equal(false);
        parsed[1].Should().BeOfType<InvocationBindingFailureMessage>("a bad record in the middle costs only itself");
        parsed[2].Should().BeOfType<InvocationMessage>().Which.Arguments.Should().Equal(true);
        Encoding.UTF8.GetString(sequence).Should().Be("""{"type":"toggle_""", "the unfinished record stays for the next read");
    }

    [Fact]
    public void Records_split_across_buffer_segments_parse_as_if_whole()
    {
        // The input pipe hands the parser whatever segments the socket filled: here, one byte each.
        var bytes = Encoding.UTF8.GetBytes(Records("""{"type":"toggle_render","enabled":true}""", """{ "enabled" : false , "type" : "toggle_render" }"""));
        var sequence = OneSegmentPerByte(bytes);

        _protocol.TryParseMessage(ref sequence, new UnusedBinder(), out var first).Should().BeTrue();
        _protocol.TryParseMessage(ref sequence, new UnusedBinder(), out var second).Should().BeTrue();
        _protocol.TryParseMessage(ref sequence, new UnusedBinder(), out _).Should().BeFalse();

        first.Should().BeOfType<InvocationMessage>().Which.Arguments.Should().Equal(true);
        second.Should().BeOfType<InvocationMessage>().Which.Arguments.Should().Equal(false);
        sequence.IsEmpty.Should().BeTrue();
    }

    [Theory]
    [InlineData(true, """{"type":"set_render_state","enabled":true}""")]
    [InlineData(false, """{"type":"set_render_state","enabled":false}""")]
    public void SetRenderState_is_written_as_the_documented_JSON(bool enabled, string expected)
    {
        Write(new InvocationMessage(ControlHubContract.SetRenderState, [enabled])).Should().Be(expected, "the raw form has no record separator: the shim sends one message per flush");
    }

    [Fact]
    public void RefreshWeb_is_written_as_the_documented_JSON()
    {
        Write(new InvocationMessage(ControlHubContract.RefreshWeb, [])).Should().Be("""{"type":"refresh_web"}""");
    }

    public static TheoryData<string, HubMessage> MessagesWithoutARawForm => new()
    {
        { "ping", PingMessage.Instance },
        { "close", CloseMessage.Empty },
        { "completion", CompletionMessage.WithResult("1", true) },
        { "another method", new InvocationMessage(FrameHubContract.ReceiveFrame, ["{}"]) },
        { "SetRenderState without a boolean", new InvocationMessage(ControlHubContract.SetRenderState, ["true"]) },
        { "SetRenderState without arguments", new InvocationMessage(ControlHubContract.SetRenderState, []) },
    };

    [Theory]
    [MemberData(nameof(MessagesWithoutARawForm))]
    public void A_message_with_no_raw_form_writes_nothing(string kind, HubMessage message)
    {
        Write(message).Should().BeEmpty("a raw client has no use for a {0}", kind);
        _protocol.GetMessageBytes(message).IsEmpty.Should().BeTrue();
    }

    private static string Records(params string[] texts) => string.Concat(texts.Select(text => text + "\u001e"));

    [Theory]
    [InlineData("""{"type":"toggle_render","enabled":tru""")]
    [InlineData("""{"type":"toggle_render","enabled":nul""")]
    [InlineData("""{"type":"toggle_render","enabled":true}""")]
    public void A_message_handed_over_whole_by_the_shim_is_one_record_read_as_one_segment(string text)
    {
        // The shim's own sequence: the message's array, then the separator. Read as two segments
        // (the second empty), a literal cut at the end made the reader throw, which ended the connection.
        var sequence = RawRecords.Sequence(Encoding.UTF8.GetBytes(text));

        _protocol.TryParseMessage(ref sequence, new UnusedBinder(), out var message).Should().BeTrue("a whole record always yields a message");
        sequence.IsEmpty.Should().BeTrue();
        message.Should().BeOfType(text.EndsWith('}') ? typeof(InvocationMessage) : typeof(InvocationBindingFailureMessage));
    }

    private HubMessage ParseOne(string text)
    {
        var sequence = new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(Records(text)));

        _protocol.TryParseMessage(ref sequence, new UnusedBinder(), out var message).Should().BeTrue("a whole record always yields a message");
        sequence.IsEmpty.Should().BeTrue("the record is consumed, whatever it held");
        return message!;
    }

    private string Write(HubMessage message)
    {
        var output = new ArrayBufferWriter<byte>();
        _protocol.WriteMessage(message, output);
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    private static ReadOnlySequence<byte> OneSegmentPerByte(byte[] bytes)
    {
        var first = new Segment(bytes.AsMemory(0, 1), 0);
        var last = first;
        for (var i = 1; i < bytes.Length; i++)
        {
            last = last.Append(bytes.AsMemory(i, 1));
        }

        return new ReadOnlySequence<byte>(first, 0, last, 1);
    }

    /// <summary>The raw protocol knows its one method's argument; asking the binder would be a change in design.</summary>
    private sealed class UnusedBinder : IInvocationBinder
    {
        public IReadOnlyList<Type> GetParameterTypes(string methodName) => throw new InvalidOperationException("the raw control protocol asked the binder");

        public Type GetReturnType(string invocationId) => throw new InvalidOperationException("the raw control protocol asked the binder");

        public Type GetStreamItemType(string streamId) => throw new InvalidOperationException("the raw control protocol asked the binder");
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
