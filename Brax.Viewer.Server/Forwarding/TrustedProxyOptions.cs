using System.Net;

namespace Brax.Viewer.Server.Forwarding;

/// <summary>
/// Which proxies may tell the server the client's scheme and address (configuration section
/// <c>Viewer</c>). Behind a proxy that ends TLS the server sees plain HTTP from the proxy; the
/// proxy's <c>X-Forwarded-Proto</c> and <c>X-Forwarded-For</c> restore <c>https</c> (which the
/// origin check compares pages against) and the client's address (which the logs show). They are
/// believed only from the addresses listed here: anyone else could send them too.
/// </summary>
public sealed class TrustedProxyOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "Viewer";

    /// <summary>
    /// The configuration key ASP.NET Core reads from <c>ASPNETCORE_FORWARDEDHEADERS_ENABLED</c>: it
    /// trusts forwarded headers from any address, which is what Azure App Service needs (its front
    /// ends forward from addresses nobody can list).
    /// </summary>
    public const string FrameworkSwitch = "FORWARDEDHEADERS_ENABLED";

    /// <summary>Addresses of proxies whose forwarded headers are trusted, e.g. <c>10.0.0.4</c> or <c>::1</c>.</summary>
    public IList<string> KnownProxies { get; } = [];

    /// <summary>Networks (CIDR) of proxies whose forwarded headers are trusted, e.g. <c>10.0.0.0/24</c>.</summary>
    public IList<string> KnownNetworks { get; } = [];

    internal bool Configured => KnownProxies.Count > 0 || KnownNetworks.Count > 0;

    internal IEnumerable<IPAddress> Proxies => KnownProxies.Select(IPAddress.Parse);

    internal IEnumerable<IPNetwork> Networks => KnownNetworks.Select(network => IPNetwork.Parse(network));

    internal IEnumerable<string> Validate(bool frameworkSwitchOn)
    {
        foreach (var proxy in KnownProxies.Where(proxy => !IPAddress.TryParse(proxy, out _)))
        {
            yield return $"{SectionName}:{nameof(KnownProxies)} holds '{proxy}', which is not an IP address such as 10.0.0.4.";
        }

        foreach (var network in KnownNetworks.Where(network => !IPNetwork.TryParse(network, out _)))
        {
            yield return $"{SectionName}:{nameof(KnownNetworks)} holds '{network}', which is not a network such as 10.0.0.0/24.";
        }

        if (frameworkSwitchOn && Configured)
        {
            yield return $"ASPNETCORE_{FrameworkSwitch}=true trusts forwarded headers from every address, which would make {SectionName}:{nameof(KnownProxies)} and {nameof(KnownNetworks)} meaningless: set one or the other.";
        }
    }
}
