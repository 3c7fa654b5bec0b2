using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.ExceptionServices;
using System.Text.Json;
using Brax.Viewer.Client;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Logging;

namespace Brax.Viewer.Hubs.Protocols;

/// <summary>
/// The documented <c>/ws/control</c> protocol as a hub protocol: <c>{"type":"toggle_render","enabled":b}</c>
/// is a <c>ToggleRender(b)</c> invocation; <c>SetRenderState(b)</c> and <c>RefreshWeb()</c> are written as
/// <c>{"type":"set_render_state","enabled":b}</c> and <c>{"type":"refresh_web"}</c>.
/// </summary>
internal sealed partial class RawControlProtocol(ILogger<RawControlProtocol> logger) : IHubProtocol
{
    public const string ProtocolName = "brax.raw.control";

    private static readonly byte[] RenderOn = """{"type":"set_render_state","enabled":true}"""u8.ToArray();
    private static readonly byte[] RenderOff = """{"type":"set_render_state","enabled":false}"""u8.ToArray();
    private static readonly byte[] RefreshWeb = """{"type":"refresh_web"}"""u8.ToArray();

    private readonly LogThrottle _badInputLog = new();

    public string Name => ProtocolName;

    public int Version => 1;

    public TransferFormat TransferFormat => TransferFormat.Text;

    public bool IsVersionSupported(int version) => version == Version;

    public bool TryParseMessage(ref ReadOnlySequence<byte> input, IInvocationBinder binder, [NotNullWhen(true)] out HubMessage? message)
    {
        if (!RawRecords.TryRead(ref input, out var record))
        {
            message = null;
            return false;
        }

        if (TryReadToggle(record, out var enabled, out var error))
        {
            message = new InvocationMessage(ControlHubContract.ToggleRender, [enabled]);
            return true;
        }

        if (_badInputLog.TryEnter(out var suppressed))
        {
            Log.InvalidControlMessage(logger, record.Length, error, suppressed);
        }

        message = new InvocationBindingFailureMessage(null, ControlHubContract.ToggleRender, ExceptionDispatchInfo.Capture(new InvalidDataException(error)));
        return true;
    }

    public void WriteMessage(HubMessage message, IBufferWriter<byte> output) => output.Write(GetMessageBytes(message).Span);

    public ReadOnlyMemory<byte> GetMessageBytes(HubMessage message) => message switch
    {
        InvocationMessage { Target: ControlHubContract.SetRenderState, Arguments: [bool enabled] } => enabled ? RenderOn : RenderOff,
        InvocationMessage { Target: ControlHubContract.RefreshWeb } => RefreshWeb,
        _ => ReadOnlyMemory<byte>.Empty,
    };

    private static bool TryReadToggle(ReadOnlySequence<byte> record, out bool enabled, [NotNullWhen(false)] out string? error)
    {
        enabled = false;
        string? type = null;
        bool? value = null;
        var reader = new Utf8JsonReader(record);
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

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Ignored a {Length}-byte control message: {Reason}. ({Suppressed} similar reports suppressed before this one.)")]
        public static partial void InvalidControlMessage(ILogger logger, long length, string reason, long suppressed);
    }
}
