using Microsoft.Net.Http.Headers;

namespace Brax.Viewer.Server.Api;

/// <summary>
/// State-changing calls take JSON only: a browser sends a form or <c>text/plain</c> cross-site
/// without asking first, but never <c>application/json</c> without a CORS preflight, which this
/// server does not grant. Anything else is 415 before the endpoint reads a byte. An endpoint that
/// takes JSON Lines accepts those types too: they are no more a simple request's than JSON is.
/// </summary>
internal static class JsonBodyFilter
{
    /// <summary>
    /// Requires <c>application/json</c> (or a <c>+json</c> type), or one of
    /// <paramref name="alsoAccepted"/>, on the endpoint's requests.
    /// </summary>
    public static TBuilder RequireJsonBody<TBuilder>(this TBuilder builder, params IReadOnlyList<string> alsoAccepted)
        where TBuilder : IEndpointConventionBuilder
    {
        var refusal = "the body must be JSON, sent with Content-Type: " + string.Join(" or ", alsoAccepted.Prepend("application/json"));
        return builder.AddEndpointFilter((context, next) =>
            IsAccepted(context.HttpContext.Request.ContentType, alsoAccepted)
                ? next(context)
                : ValueTask.FromResult<object?>(ErrorResponse.Result(StatusCodes.Status415UnsupportedMediaType, refusal)));
    }

    private static bool IsAccepted(string? contentType, IReadOnlyList<string> alsoAccepted)
    {
        if (!MediaTypeHeaderValue.TryParse(contentType, out var type))
        {
            return false;
        }

        if (type.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || type.SubTypeWithoutSuffix.HasValue && type.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        foreach (var accepted in alsoAccepted)
        {
            if (type.MediaType.Equals(accepted, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
