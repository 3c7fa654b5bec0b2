using Microsoft.Net.Http.Headers;

namespace Brax.Viewer.Server;

/// <summary>
/// Headers every response carries for a server on the internet: no content sniffing, no framing
/// of the page by other sites, no referrer (a page opened with <c>?access_token=</c> must not hand
/// its address to anyone), and a content security policy that lets the page load only its own
/// bundle and talk only to this server, unless the response brings a policy of its own.
/// </summary>
internal static class SecurityHeaders
{
    // 'self' covers ws: and wss: to this server (CSP level 3); the bundle has no inline script.
    private const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; "
        + "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use((http, next) =>
    {
        http.Response.OnStarting(static state =>
        {
            var headers = ((HttpResponse)state).Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            // A response that set its own policy keeps it (the offline replay file allows its own inline script by hash).
            if (!headers.ContainsKey(HeaderNames.ContentSecurityPolicy))
            {
                headers[HeaderNames.ContentSecurityPolicy] = ContentSecurityPolicy;
            }

            headers["Referrer-Policy"] = "no-referrer";
            return Task.CompletedTask;
        }, http.Response);
        return next(http);
    });
}
