using Brax.Viewer.Client;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers <see cref="BraxViewerClient"/> with dependency injection.</summary>
public static class BraxViewerClientServiceCollectionExtensions
{
    /// <summary>
    /// Adds one <see cref="BraxViewerClient"/> (a singleton, disposed with the container) configured
    /// from <see cref="BraxViewerClientOptions"/>; <paramref name="configure"/> sets them, and so may
    /// any other <c>Configure&lt;BraxViewerClientOptions&gt;</c> or configuration binding. The options
    /// are validated when the client is first resolved. Call <see cref="BraxViewerClient.StartAsync"/>
    /// to connect.
    /// </summary>
    public static IServiceCollection AddBraxViewerClient(this IServiceCollection services, Action<BraxViewerClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<BraxViewerClientOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<BraxViewerClientOptions>, BraxViewerClientOptionsValidation>());
        services.TryAddSingleton(provider => new BraxViewerClient(
            provider.GetRequiredService<IOptions<BraxViewerClientOptions>>().Value,
            provider.GetService<ILoggerFactory>()));
        return services;
    }
}
