using System.Buffers;
using System.Text;
using Brax.Viewer.Client;
using Brax.Viewer.Hubs.Diagnostics;
using Brax.Viewer.Hubs.Protocols;
using CsCheck;
using Brax.Viewer.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Logging.Abstractions;

namespace Brax.Viewer.Tests.Robustness;

/// <summary>
/// <c>RawControlProtocol</c> over mutated control messages, random bytes and random objects made of
/// the names it reads (<c>type</c>, <c>enabled</c>, nested in each other). Every record becomes
/// exactly one message, never an exception: a <c>ToggleRender(b)</c> exactly when the text is valid
/// JSON (<see cref="StrictJson"/>) whose outer object's last <c>type</c> is <c>"toggle_render"</c> and
/// whose last <c>enabled</c> is the boolean b, else a binding failure with a reason. A failure
/// prints the smallest case and the seed: set <c>CsCheck_Seed</c> to it to replay.
/// </summary>
public sealed class ControlParsingPropertyTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly RawControlProtocol Protocol = new(new BadInputLog(NullLogger<BadInputLog>.Instance, TimeProvider.System, DetachedMetrics.Create()));

    [Fact]
    public void Fuzzed_control_messages_become_a_toggle_exactly_when_they_are_one()
    {
        long toggles = 0, total = 0;
        FuzzGen.Controls.Sample(
            message =>
            {
                Interlocked.Increment(ref total);
                if (CheckControl(message) is not null)
                {
                    Interlocked.Increment(ref toggles);
                }
            },
            writeLine: output.WriteLine,
            iter: 20_000,
            print: message => message.ToString());

        output.WriteLine($"{toggles} of {total} fuzzed control messages were toggles");
        toggles.Should().BeGreaterThan(total / 50, "enough fuzzed messages are toggles for both directions of the property to be tested");
    }

    [Theory]
    [InlineData("""{"type":"toggle_render","enabled":true}""", true)]
    [InlineData("""{"enabled":false,"type":"toggle_render"}""", false)]
    [InlineData("""{"type":"toggle_render","enabled":true,"enabled":false}""", false)]
    [InlineData("""{"type":"\u0074oggle_render","enabled":true}""", true)]
    public void Toggles_are_read(string text, bool enabled) =>
        CheckControl(new FuzzCase("toggle", Encoding.UTF8.GetBytes(text))).Should().Be(enabled);

    [Theory]
    [InlineData("""{"type":{"type":"toggle_render","enabled":true}}""")]
    [InlineData("""{"type":{"type":"toggle_render","enabled":true},"a" garbage""")]
    [InlineData("""{"type":"\ud800","enabled":true}""")]
    [InlineData("""{"type":"toggle_render","enabled":true,"\ud800":1}""")]
    [InlineData("""{"type":"toggle_render","enabled":true} {}""")]
    [InlineData("""{"type":"toggle_render","enabled":"true"}""")]
    [InlineData("""{"type":"toggle_render","enabled":[true]}""")]
    public void Look_alikes_are_refused_with_a_reason(string text) =>
        CheckControl(new FuzzCase("look-alike", Encoding.UTF8.GetBytes(text))).Should().BeNull();

    [Theory]
    [InlineData(new byte[] { 0xFF })]
    [InlineData(new byte[] { (byte)'{', (byte)'"', (byte)'t', (byte)'y', (byte)'p', (byte)'e', (byte)'"', (byte)':', (byte)'"', 0xED, 0xA0, 0x80, (byte)'"', (byte)'}' })]
    [InlineData(new byte[] { (byte)'{', (byte)'"', (byte)'t', (byte)'y', (byte)'p', (byte)'e', (byte)'"', (byte)':', (byte)'"', 0xC0, 0x80, (byte)'"', (byte)'}' })]
    public void Invalid_UTF8_is_refused_with_a_reason(byte[] bytes) =>
        CheckControl(new FuzzCase("invalid UTF-8", bytes)).Should().BeNull();

    [Fact]
    public void Deep_nesting_is_refused_with_a_reason() =>
        CheckControl(new FuzzCase("10,000 [", Encoding.UTF8.GetBytes("""{"type":"toggle_render","enabled":true,"q":""" + new string('[', 10_000)))).Should().BeNull();

    /// <summary>Checks the property for one record; the toggle's value, or null when it was refused.</summary>
    private static bool? CheckControl(FuzzCase input)
    {
        // The shim refuses a message holding 0x1E before any protocol sees it (the server-level tests
        // check that), so the protocol only ever gets the text before one.
        var text = input.Bytes.AsSpan().IndexOf(RawRecords.Separator) is var separator and >= 0 ? input.Bytes[..separator] : input.Bytes;
        var expected = ControlRule.Toggle(text);
        var record = new ReadOnlySequence<byte>([.. text, RawRecords.Separator]);
        HubMessage? message;
        bool parsed;
        try
        {
            parsed = Protocol.TryParseMessage(ref record, new FrameBinder(), out message);
        }
        catch (Exception ex)
        {
            throw new InvalidOperationException($"RawControlProtocol threw instead of refusing: {ex.GetType().Name}: {ex.Message}", ex);
        }

        if (!parsed || !record.IsEmpty)
        {
            throw new InvalidOperationException("the record was not consumed as one message");
        }

        switch (message)
        {
            case InvocationMessage { Target: ControlHubContract.ToggleRender, Arguments: [bool enabled] }:
                if (expected != enabled)
                {
                    throw new InvalidOperationException($"read as ToggleRender({enabled}), expected {(expected is null ? "a refusal" : $"ToggleRender({expected})")}");
                }

                return enabled;
            case InvocationBindingFailureMessage failure:
                if (string.IsNullOrWhiteSpace(failure.BindingFailure.SourceException.Message))
                {
                    throw new InvalidOperationException("refused without a reason");
                }

                if (expected is not null)
                {
                    throw new InvalidOperationException($"refused ({failure.BindingFailure.SourceException.Message}), expected ToggleRender({expected})");
                }

                return null;
            default:
                throw new InvalidOperationException("an unexpected message: " + message);
        }
    }
}
