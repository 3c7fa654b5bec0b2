using Brax.Viewer.Hubs.ScaleOut;
using Brax.Viewer.Server.Scenes;
using Microsoft.Extensions.DependencyInjection.Extensions;

// In the host's namespace, beside ViewerServer that calls it, like the other wiring.
namespace Brax.Viewer.Server;

/// <summary>Puts the scene store in Redis when the server is scaled out.</summary>
internal static class RedisSceneStoreExtensions
{
    /// <summary>
    /// When scale-out on Redis is registered (<c>ConnectionStrings:Redis</c>), the scene of each run
    /// lives in Redis; otherwise nothing is registered and the in-memory store stays the default.
    /// Call before <c>AddScenes</c>, which only adds its store when none is registered.
    /// </summary>
    public static IServiceCollection AddRedisSceneStore(this IServiceCollection services)
    {
        if (services.Any(service => service.ServiceType == typeof(RedisConnection)))
        {
            services.TryAddSingleton<RedisSceneStore>();
            services.TryAddSingleton<ISceneStore>(provider => provider.GetRequiredService<RedisSceneStore>());

            // Created at start-up, not at the first scene request: after an outage it must catch up
            // on scenes other instances loaded, for pages here that never asked for one yet.
            services.AddHostedService(provider => provider.GetRequiredService<RedisSceneStore>());
        }

        return services;
    }
}
