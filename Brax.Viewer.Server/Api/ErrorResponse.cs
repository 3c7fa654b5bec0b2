using Brax.Viewer.Client;

namespace Brax.Viewer.Server.Api;

/// <summary>The JSON error body every failed request gets (<see cref="ErrorBody"/>): <c>{"status":"error","message":…}</c>.</summary>
internal static class ErrorResponse
{
    /// <summary>Writes <paramref name="message"/> as the JSON error body with <paramref name="statusCode"/>.</summary>
    public static Task WriteAsync(HttpContext http, int statusCode, string message)
    {
        http.Response.StatusCode = statusCode;
        return http.Response.WriteAsJsonAsync(new ErrorBody(message));
    }

    /// <summary>The same body as an endpoint result.</summary>
    public static IResult Result(int statusCode, string message) =>
        Results.Json(new ErrorBody(message), statusCode: statusCode);
}
