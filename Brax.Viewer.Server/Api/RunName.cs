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
        run = http.Request.Query[RunContract.Query].ToString();
        if (run.Length == 0)
        {
            run = RunContract.DefaultRun;
        }

        if (RunContract.IsValidName(run))
        {
            error = null;
            return true;
        }

        (run, error) = (null, $"'{RunContract.Query}' must be 1 to {RunContract.MaxLength} of A-Z a-z 0-9 _ - .");
        return false;
    }
}
