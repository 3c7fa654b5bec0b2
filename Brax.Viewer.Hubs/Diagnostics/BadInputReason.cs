namespace Brax.Viewer.Hubs.Diagnostics;

/// <summary>
/// Why a raw message was ignored, as the <c>reason</c> label of <c>brax.viewer.messages.invalid</c>
/// says it. A fixed set, so the label cannot grow with what clients send; the log line carries the
/// details.
/// </summary>
internal enum BadInputReason
{
    /// <summary>A binary message: <c>binary</c>.</summary>
    Binary,

    /// <summary>A message over the endpoint's size limit: <c>too_large</c>.</summary>
    TooLarge,

    /// <summary>Text holding the 0x1E record separator: <c>record_separator</c>.</summary>
    RecordSeparator,

    /// <summary>Text on <c>/ws/frame</c> that is not a valid frame: <c>invalid_frame</c>.</summary>
    InvalidFrame,

    /// <summary>Text on <c>/ws/control</c> that is not a valid control message: <c>invalid_control_message</c>.</summary>
    InvalidControlMessage,
}
