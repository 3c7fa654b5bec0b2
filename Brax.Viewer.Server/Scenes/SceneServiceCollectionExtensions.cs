using Brax.Viewer.Server.Demo;
using Brax.Viewer.Server.Scenes;
using Microsoft.Extensions.DependencyInjection.Extensions;

// In the host's namespace, beside ViewerServer that calls them, so wiring needs no extra using.
namespace Brax.Viewer.Server;

/// <summary>Registers the scene API, the start-up scene file and the demo.</summary>
public static class SceneServiceCollectionExtensions
{
    /// <summary>
    /// Adds the scene store (in memory unless an <see cref="ISceneStore"/> was registered before),
    /// and the hosted services for <c>--system FILE</c> and <c>--demo</c> when configured.
    /// </summary>
    public static IServiceCollection AddScenes(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(SceneOptions.SectionName);
        services.Configure<SceneOptions>(section);
        services.TryAddSingleton<ISceneStore, InMemorySceneStore>();
        services.TryAddSingleton<SceneLoader>();

        var options = section.Get<SceneOptions>() ?? new SceneOptions();
        // The demo streams motion made for its own scene, so it replaces any --system file.
        if (options.Demo)
        {
            services.AddHostedService<DemoStreamer>();
        }
        else if (!string.IsNullOrEmpty(options.SystemFile))
        {
            services.AddHostedService<SystemFileLoader>();
        }

        return services;
    }
}
