using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Brax.Viewer.Client;
using Brax.Viewer.Hubs.Diagnostics;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Brax.Viewer.Hubs.Access;

/// <summary>
/// Reads the caller's key from <c>Authorization: Bearer KEY</c> or <c>?access_token=KEY</c> (what
/// browsers and the SignalR JavaScript client can send on WebSockets) and grants the roles of the
/// key it matches. Keys are compared in constant time. A refusal is a 401 or 403 with the JSON error
/// body, counted by reason in <see cref="HubDiagnostics"/> (and so in the metrics), and logged at
/// most once per 10 s per reason with the path and the remote address, never the key.
/// </summary>
internal sealed partial class AccessKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> schemeOptions,
    IOptionsMonitor<AccessOptions> access,
    HubDiagnostics diagnostics,
    ILoggerFactory loggers,
    UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(schemeOptions, loggers, encoder)
{
    /// <summary>The scheme's name.</summary>
    public const string SchemeName = "AccessKey";

    /// <summary>The query parameter browsers send the key in.</summary>
    public const string QueryParameter = "access_token";

    private readonly ILogger _log = loggers.CreateLogger<AccessKeyAuthenticationHandler>();

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var key = PresentedKey(Request);
        if (key is null)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var options = access.CurrentValue;
        string[] roles = Matches(key, options.StreamerKey) ? [AccessRoles.Streamer, AccessRoles.Viewer]
            : Matches(key, options.ViewerKey) ? [AccessRoles.Viewer]
            : [];
        if (roles.Length == 0)
        {
            // With no key configured a stray token is no reason to refuse: nothing needs one.
            return Task.FromResult(options.RequiresKeys ? AuthenticateResult.Fail("the access key is not valid") : AuthenticateResult.NoResult());
        }

        var identity = new ClaimsIdentity(roles.Select(role => new Claim(ClaimTypes.Role, role)), SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var presented = PresentedKey(Request) is not null;
        if (diagnostics.Refused(presented ? RefusalReason.KeyInvalid : RefusalReason.KeyMissing, out var unlogged))
        {
            Log.Refused(_log, Request.Path, Context.Connection.RemoteIpAddress?.ToString(), StatusCodes.Status401Unauthorized, presented ? "a wrong key" : "no key", unlogged);
        }

        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        return Response.WriteAsJsonAsync(new ErrorBody(presented
            ? "the access key is not valid"
            : $"an access key is required: send it as ?{QueryParameter}=KEY or Authorization: Bearer KEY"));
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        if (diagnostics.Refused(RefusalReason.KeyInsufficient, out var unlogged))
        {
            Log.Refused(_log, Request.Path, Context.Connection.RemoteIpAddress?.ToString(), StatusCodes.Status403Forbidden, "a key that does not allow this", unlogged);
        }

        Response.StatusCode = StatusCodes.Status403Forbidden;
        return Response.WriteAsJsonAsync(new ErrorBody("this needs the streamer key"));
    }

    private static string? PresentedKey(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return header["Bearer ".Length..].Trim();
        }

        var query = request.Query[QueryParameter].ToString();
        return query.Length > 0 ? query : null;
    }

    // Hashing first makes the comparison's time independent of the keys' lengths as well as their contents.
    private static bool Matches(string presented, string? configured) =>
        !string.IsNullOrEmpty(configured)
        && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), SHA256.HashData(Encoding.UTF8.GetBytes(configured)));

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.KeyRefused, EventName = nameof(EventIds.KeyRefused), Level = LogLevel.Warning, Message = "Refused {Path} from {RemoteAddress} with {Status}: {Reason}. ({Unlogged} similar refusals not logged before this one.)")]
        public static partial void Refused(ILogger logger, string path, string? remoteAddress, int status, string reason, long unlogged);
    }
}
