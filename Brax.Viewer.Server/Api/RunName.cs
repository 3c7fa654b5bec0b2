using System.Diagnostics.CodeAnalysis;
using Brax.Viewer.Client;

namespace Brax.Viewer.Server.Api;

/// <summary>
/// The run an HTTP request names: in its path (<c>/api/runs/NAME/…</c>, the route value
/// <see cref="RouteValue"/>), or else its <c>?run=NAME</c>, or else <c>default</c>.
/// </summary>
public static class RunName
{
    /// <summary>The route value, and path segment, that names the run in <c>/api/runs/{run}/…</c>.</summary>
    public const string RouteValue = RunContract.Query;

    /// <summary>Reads and checks the run named by the request; a run in the path wins over one in the query.</summary>
    public static bool TryRead(HttpContext http, [NotNullWhen(true)] out string? run, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(http);
        var named = http.Request.RouteValues.TryGetValue(RouteValue, out var inPath) && inPath is string path
            ? path
            : http.Request.Query[RunContract.Query].ToString();
        return RunContract.TryResolve(named, out run, out error);
    }
}
