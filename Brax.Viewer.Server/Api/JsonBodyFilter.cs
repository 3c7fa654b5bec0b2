using Microsoft.Net.Http.Headers;

namespace Brax.Viewer.Server.Api;

/// <summary>
/// State-changing calls take JSON only: a browser sends a form or <c>text/plain</c> cross-site
/// without asking first, but never <c>application/json</c> without a CORS preflight, which this
/// server does not grant. Anything else is 415 before the endpoint reads a byte.
/// </summary>
internal static class JsonBodyFilter
{
    /// <summary>Requires <c>application/json</c> (or a <c>+json</c> type) on the endpoint's requests.</summary>
    public static TBuilder RequireJsonBody<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(static (context, next) =>
            IsJson(context.HttpContext.Request.ContentType)
                ? next(context)
                : ValueTask.FromResult<object?>(ErrorResponse.Result(
                    StatusCodes.Status415UnsupportedMediaType,
                    "the body must be JSON, sent with Content-Type: application/json")));

    private static bool IsJson(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var type)
        && (type.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || type.SubTypeWithoutSuffix.HasValue && type.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase));
}
