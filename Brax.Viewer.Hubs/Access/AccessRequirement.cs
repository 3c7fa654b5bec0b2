using Microsoft.AspNetCore.Authorization;

namespace Brax.Viewer.Hubs.Access;

/// <summary>What a policy of <see cref="AccessPolicies"/> asks of the caller.</summary>
internal sealed class AccessRequirement(AccessRequirement.Needs needs) : IAuthorizationRequirement
{
    public enum Needs
    {
        /// <summary>The viewer or streamer key.</summary>
        View,

        /// <summary>The streamer key.</summary>
        Stream,

        /// <summary><see cref="Stream"/> for a connection that asks to stream, <see cref="View"/> otherwise.</summary>
        StreamOrViewByQuery,
    }

    public Needs Need => needs;
}
