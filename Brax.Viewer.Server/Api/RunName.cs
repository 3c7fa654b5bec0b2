using System.Diagnostics.CodeAnalysis;
using Brax.Viewer.Client;

namespace Brax.Viewer.Server.Api;

/// <summary>The <c>?run=NAME</c> of an HTTP request (default <c>default</c>).</summary>
public static class RunName
{
    /// <summary>Reads and checks the run named by the request.</summary>
    public static bool TryRead(HttpContext http, [NotNullWhen(true)] out string? run, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(http);
        return RunContract.TryResolve(http.Request.Query[RunContract.Query].ToString(), out run, out error);
    }
}
