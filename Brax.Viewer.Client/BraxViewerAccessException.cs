using System.Net;

namespace Brax.Viewer.Client;

/// <summary>
/// The server refused the client for want of the right access key: 401 when none or a wrong one was
/// sent, 403 when the key is valid but does not allow the action (a viewer key used to stream or to
/// toggle rendering). Retrying does not help; the client does not reconnect after one.
/// </summary>
public sealed class BraxViewerAccessException : Exception
{
    /// <summary>Creates the exception with a message.</summary>
    public BraxViewerAccessException()
        : this("The server refused the access key.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public BraxViewerAccessException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public BraxViewerAccessException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a refusal with <paramref name="statusCode"/> of <paramref name="target"/>.</summary>
    public BraxViewerAccessException(HttpStatusCode statusCode, string target, Exception? innerException = null)
        : base(Describe(statusCode, target), innerException)
    {
        StatusCode = statusCode;
    }

    /// <summary>401 (no or a wrong key) or 403 (a key that does not allow this); null when not known.</summary>
    public HttpStatusCode? StatusCode { get; }

    private static string Describe(HttpStatusCode status, string target) => status switch
    {
        HttpStatusCode.Unauthorized =>
            $"401 Unauthorized from {target}: the server needs an access key, and none or a wrong one was sent. Set {nameof(BraxViewerClientOptions)}.{nameof(BraxViewerClientOptions.AccessKey)}.",
        HttpStatusCode.Forbidden =>
            $"403 Forbidden from {target}: the access key is valid but does not allow this; streaming and toggling rendering need the streamer key. Set {nameof(BraxViewerClientOptions)}.{nameof(BraxViewerClientOptions.AccessKey)}.",
        _ => $"{(int)status} from {target}.",
    };
}
