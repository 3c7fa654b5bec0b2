using System.Diagnostics.CodeAnalysis;
using System.Net;
using Microsoft.AspNetCore.Http;

namespace Brax.Viewer.Hubs.Access;

/// <summary>
/// Which browser pages may act on this server. Browsers send any page's WebSockets and simple
/// requests cross-site, with the page's cookies and from inside the user's network, so a page
/// the user happens to open could watch the stream, inject frames or flip rendering. A request with
/// an <c>Origin</c> is let through only from the server's own origin, from loopback origins, or from
/// <see cref="AccessOptions.AllowedOrigins"/>; clients that send no <c>Origin</c> (scripts, .NET and
/// Python clients) are not browsers and are not affected.
/// </summary>
internal static class OriginCheck
{
    /// <summary>Whether the request must pass the check: it opens a WebSocket, negotiates with a hub, or changes state.</summary>
    public static bool Applies(HttpRequest request) =>
        request.HttpContext.WebSockets.IsWebSocketRequest
        || !(HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method));

    /// <summary>Whether <paramref name="origin"/> may make <paramref name="request"/>.</summary>
    public static bool IsAllowed(string origin, HttpRequest request, AccessOptions options)
    {
        if (options.AllowedOrigins.Contains("*"))
        {
            return true;
        }

        if (!TryNormalize(origin, out var normalized))
        {
            return false; // "null" (sandboxed frames, files) and anything malformed.
        }

        var own = $"{request.Scheme}://{request.Host.Value}".ToLowerInvariant();
        return normalized == own
            || IsLoopback(new Uri(normalized).Host)
            || options.AllowedOrigins.Any(allowed => TryNormalize(allowed, out var entry) && entry == normalized);
    }

    /// <summary>An origin as browsers serialise it (<c>scheme://host[:port]</c>, lower case, no default port), or false.</summary>
    public static bool TryNormalize(string origin, [NotNullWhen(true)] out string? normalized)
    {
        normalized = null;
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri)
            || uri.Scheme is not ("http" or "https")
            || uri.PathAndQuery != "/"
            || !string.IsNullOrEmpty(uri.UserInfo)
            || !string.IsNullOrEmpty(uri.Fragment))
        {
            return false;
        }

        normalized = uri.IsDefaultPort ? $"{uri.Scheme}://{uri.Host}" : $"{uri.Scheme}://{uri.Host}:{uri.Port}";
        normalized = normalized.ToLowerInvariant();
        return true;
    }

    private static bool IsLoopback(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
}
