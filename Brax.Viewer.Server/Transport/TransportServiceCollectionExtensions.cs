using Brax.Viewer.Server.Transport;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

// In the host's namespace, beside ViewerServer that calls them, so wiring needs no extra using.
namespace Brax.Viewer.Server;

/// <summary>Registers how Kestrel's connections hold their bytes.</summary>
public static class TransportServiceCollectionExtensions
{
    /// <summary>
    /// Binds and validates <see cref="TransportOptions"/> and, unless they ask for Kestrel's own
    /// 4 KiB blocks, gives Kestrel <see cref="LargeBlockMemoryPool"/>s of that block size. Kestrel
    /// has registered its own factory by now (the builder adds Kestrel first), and the last
    /// registration is the one resolved.
    /// </summary>
    public static IServiceCollection AddTransport(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(TransportOptions.SectionName);
        services.AddOptions<TransportOptions>().Bind(section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TransportOptions>, TransportOptionsValidator>());

        // Read here, not through the options: Kestrel resolves its factory while being built.
        var blockBytes = (section.Get<TransportOptions>() ?? new TransportOptions()).TransportBlockBytes;
        if (blockBytes != TransportOptions.KestrelBlockBytes)
        {
            services.AddSingleton<IMemoryPoolFactory<byte>>(provider => new LargeBlockMemoryPoolFactory(
                Math.Clamp(blockBytes, TransportOptions.KestrelBlockBytes, TransportOptions.MaxBlockBytes),
                provider.GetService<TimeProvider>() ?? TimeProvider.System));
        }

        return services;
    }
}
