using System.Text.Json.Serialization;

namespace Brax.Viewer.Client;

/// <summary>The JSON body of every refused or failed HTTP request: <c>{"status":"error","message":…}</c>.</summary>
/// <param name="Message">What went wrong, for a person to read.</param>
public sealed record ErrorBody([property: JsonPropertyName("message")] string Message)
{
    /// <summary>Always <c>error</c>.</summary>
    [JsonPropertyName("status")]
    [JsonPropertyOrder(-1)]
    public string Status { get; init; } = "error";
}
