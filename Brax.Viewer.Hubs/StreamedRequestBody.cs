using Microsoft.AspNetCore.Http.Metadata;

namespace Brax.Viewer.Hubs;

/// <summary>
/// Endpoint metadata that lifts the HTTP request body limit from the hubs and raw endpoints: their
/// bodies are streams of messages (SignalR's long-polling sends; a WebSocket over HTTP/2, which
/// Kestrel exempts already), each bounded by the message limits and read as it arrives, never
/// buffered whole. A host's small body limit for its JSON endpoints must not cut them off.
/// </summary>
internal sealed class StreamedRequestBody : IRequestSizeLimitMetadata
{
    public static readonly StreamedRequestBody Instance = new();

    public long? MaxRequestBodySize => null;
}
