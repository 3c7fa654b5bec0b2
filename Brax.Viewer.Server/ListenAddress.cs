namespace Brax.Viewer.Server;

/// <summary>
/// Where the server listens when nothing says otherwise: explicit URLs (<c>--urls</c>,
/// <c>ASPNETCORE_URLS</c>) and <c>ASPNETCORE_HTTP(S)_PORTS</c> win and are left to ASP.NET Core; a
/// platform port (<c>PORT</c>, <c>WEBSITES_PORT</c>, as Azure App Service sets) means every interface;
/// else the documented default, <c>http://127.0.0.1:8000</c>.
/// </summary>
internal static class ListenAddress
{
    public static string? Resolve(IConfiguration configuration, Func<string, string?> environment)
    {
        if (!string.IsNullOrEmpty(configuration["urls"])
            || !string.IsNullOrEmpty(configuration["http_ports"])
            || !string.IsNullOrEmpty(configuration["https_ports"]))
        {
            return null;
        }

        foreach (var variable in new[] { "PORT", "WEBSITES_PORT" })
        {
            if (int.TryParse(environment(variable), out var port) && port is > 0 and < 65536)
            {
                return $"http://+:{port}";
            }
        }

        return ViewerServer.DefaultUrl;
    }
}
