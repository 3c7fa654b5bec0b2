using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;
using Brax.Viewer.Client;
using Brax.Viewer.Hubs.Diagnostics;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace Brax.Viewer.Hubs.Protocols;

/// <summary>
/// The documented <c>/ws/control</c> protocol as a hub protocol: <c>{"type":"toggle_render","enabled":b}</c>
/// is a <c>ToggleRender(b)</c> invocation; <c>SetRenderState(b)</c> and <c>RefreshWeb()</c> are written as
/// <c>{"type":"set_render_state","enabled":b}</c> and <c>{"type":"refresh_web"}</c>.
/// </summary>
internal sealed class RawControlProtocol(BadInputLog badInput)
    : RawHubProtocol(ProtocolName, ControlHubContract.ToggleRender, RawEndpointContract.ControlPath, BadInputReason.InvalidControlMessage, badInput)
{
    public const string ProtocolName = "brax.raw.control";

    private static readonly byte[] RenderOn = """{"type":"set_render_state","enabled":true}"""u8.ToArray();
    private static readonly byte[] RenderOff = """{"type":"set_render_state","enabled":false}"""u8.ToArray();
    private static readonly byte[] RefreshWeb = """{"type":"refresh_web"}"""u8.ToArray();

    public override ReadOnlyMemory<byte> GetMessageBytes(HubMessage message) => message switch
    {
        InvocationMessage { Target: ControlHubContract.SetRenderState, Arguments: [bool enabled] } => enabled ? RenderOn : RenderOff,
        InvocationMessage { Target: ControlHubContract.RefreshWeb } => RefreshWeb,

        // A few times a second at most per run: a small allocation, not worth a cache.
        InvocationMessage { Target: ControlHubContract.ViewerCount, Arguments: [int count] } => Encoding.UTF8.GetBytes($$"""{"type":"viewer_count","count":{{count}}}"""),
        _ => ReadOnlyMemory<byte>.Empty,
    };

    protected override bool TryTranslate(ReadOnlySequence<byte> record, [NotNullWhen(true)] out object? argument, [NotNullWhen(false)] out string? error)
    {
        var valid = TryReadToggle(record, out var enabled, out error);
        argument = valid ? enabled : null;
        return valid;
    }

    private static bool TryReadToggle(ReadOnlySequence<byte> record, out bool enabled, [NotNullWhen(false)] out string? error)
    {
        enabled = false;
        string? type = null;
        bool? value = null;
        // Read from one span: a control message is small, and the reader over a sequence whose last
        // segment is empty (a record sliced at a segment's end) can fail with other than JsonException.
        ReadOnlySpan<byte> text = record.IsSingleSegment ? record.FirstSpan : record.ToArray();
        if (JsonText.Problem(text) is { } textProblem)
        {
            error = textProblem;
            return false;
        }

        var reader = new Utf8JsonReader(text);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                error = "a control message must be a JSON object";
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("type"u8))
                {
                    reader.Read();
                    type = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;

                    // An object or array here is passed over whole, never read as the message's own members.
                    reader.Skip();
                }
                else if (reader.ValueTextEquals("enabled"u8))
                {
                    reader.Read();
                    value = reader.TokenType switch
                    {
                        JsonTokenType.True => true,
                        JsonTokenType.False => false,
                        _ => null,
                    };
                    reader.Skip();
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            reader.Read();
        }
        catch (JsonException ex)
        {
            error = "not valid JSON: " + ex.Message;
            return false;
        }

        if (type != "toggle_render")
        {
            error = $"unknown control message type '{type}' (expected \"toggle_render\")";
            return false;
        }

        if (value is null)
        {
            error = "\"enabled\" must be a JSON boolean";
            return false;
        }

        enabled = value.Value;
        error = null;
        return true;
    }
}
