using Brax.Viewer.Server.Forwarding;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Brax.Viewer.Server;

/// <summary>
/// Forwarded headers from the proxies of <see cref="TrustedProxyOptions"/> and from no one else.
/// ASP.NET Core's own <c>ASPNETCORE_FORWARDEDHEADERS_ENABLED=true</c> stays available for Azure App
/// Service, whose front ends cannot be listed; the two are not combined.
/// </summary>
internal static class TrustedProxies
{
    public static IServiceCollection AddTrustedProxies(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<TrustedProxyOptions>().Bind(configuration.GetSection(TrustedProxyOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TrustedProxyOptions>, TrustedProxyOptionsValidator>());
        return services;
    }

    /// <summary>First in the pipeline, so that everything after it sees the client's scheme and address.</summary>
    public static IApplicationBuilder UseTrustedProxies(this IApplicationBuilder app)
    {
        var trusted = app.ApplicationServices.GetRequiredService<IOptions<TrustedProxyOptions>>().Value;
        if (!trusted.Configured)
        {
            return app;
        }

        // An options object of its own rather than the DI-configured one, which the framework's
        // switch rewrites to trust everyone. Only the listed proxies count: the loopback entries
        // ASP.NET Core trusts by default are dropped unless listed.
        var options = new ForwardedHeadersOptions
        {
            ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto,
            // Every hop is checked against the lists, so a chain of listed proxies is followed to
            // the first address that is not one of them, which is the client.
            ForwardLimit = null,
        };
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
        foreach (var proxy in trusted.Proxies)
        {
            options.KnownProxies.Add(proxy);
        }

        foreach (var network in trusted.Networks)
        {
            options.KnownIPNetworks.Add(network);
        }

        return app.UseForwardedHeaders(options);
    }
}
