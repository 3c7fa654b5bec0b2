using Microsoft.AspNetCore.Http.Metadata;

namespace Brax.Viewer.Server.Api;

/// <summary>
/// Endpoint metadata: the endpoint's own request body limit, which routing applies before the
/// endpoint runs, and the setting that sets it, which the 413 answer names.
/// </summary>
/// <param name="MaxRequestBodySize">The limit in bytes.</param>
/// <param name="Setting">The configuration key of the limit, e.g. <c>Viewer:MaxSceneBytes</c>.</param>
internal sealed record BodyLimit(long? MaxRequestBodySize, string Setting) : IRequestSizeLimitMetadata;
