using Brax.Viewer.Client;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace Brax.Viewer.Hubs.Access;

/// <summary>
/// Decides <see cref="AccessRequirement"/>s from the roles the caller's key granted. A need whose key
/// is not configured is met by anyone: with only a viewer key set, streaming needs the viewer key;
/// with no key set, everything is open.
/// </summary>
internal sealed class AccessRequirementHandler(IOptionsMonitor<AccessOptions> options) : AuthorizationHandler<AccessRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, AccessRequirement requirement)
    {
        var access = options.CurrentValue;
        var needsStream = requirement.Need switch
        {
            AccessRequirement.Needs.Stream => true,
            AccessRequirement.Needs.StreamOrViewByQuery => AsksToStream(context.Resource),
            _ => false,
        };

        var met = needsStream
            ? string.IsNullOrEmpty(access.StreamerKey)
                ? string.IsNullOrEmpty(access.ViewerKey) || context.User.IsInRole(AccessRoles.Viewer)
                : context.User.IsInRole(AccessRoles.Streamer)
            : string.IsNullOrEmpty(access.ViewerKey) || context.User.IsInRole(AccessRoles.Viewer);
        if (met)
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }

    // Endpoints are authorized with the request as resource, hub methods with the invocation.
    private static bool AsksToStream(object? resource)
    {
        var http = resource switch
        {
            HttpContext request => request,
            HubInvocationContext invocation => invocation.Context.GetHttpContext(),
            _ => null,
        };

        return http is not null && ClientRole.TryParse(http.Request.Query, out var role, out _) && role.IsStreamer;
    }
}
