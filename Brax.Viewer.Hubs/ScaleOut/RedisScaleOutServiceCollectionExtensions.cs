using Brax.Viewer.Hubs.Fanout;
using Brax.Viewer.Hubs.Runs;
using Brax.Viewer.Hubs.State;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.StackExchangeRedis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Brax.Viewer.Hubs.ScaleOut;

/// <summary>Registration of scale-out on Redis, on when <c>ConnectionStrings:Redis</c> is set.</summary>
internal static class RedisScaleOutServiceCollectionExtensions
{
    /// <summary>
    /// Without a Redis connection string: a single server, nothing is registered here and the
    /// in-memory stores stay. With one: one shared Redis connection, the frame backplane, the render
    /// toggle, the scenes, the newest frames and the viewers and streamers of each run in Redis, and SignalR's Redis backplane for
    /// <typeparamref name="TControlHub"/>, as an <see cref="OutageTolerantHubLifetimeManager{THub}"/>
    /// for the caller to install (it keeps serving local clients through outages). Call before the
    /// in-memory defaults are added: those are added only where nothing was registered.
    /// </summary>
    public static bool TryAddRedisScaleOut<TControlHub>(this ISignalRServerBuilder signalR, IConfiguration configuration)
        where TControlHub : Hub
    {
        var services = signalR.Services;
        services.AddOptions<RedisScaleOutOptions>()
            .Bind(configuration.GetSection(RedisScaleOutOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RedisScaleOutOptions>, OptionsValidator>());

        var connectionString = configuration.GetConnectionString(RedisScaleOutOptions.ConnectionStringName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            services.TryAddSingleton(new ScaleOutStatus(null, null));
            return false;
        }

        services.AddSingleton(provider => new RedisConnection(
            connectionString,
            provider.GetRequiredService<IOptions<RedisScaleOutOptions>>(),
            provider.GetRequiredService<ILogger<RedisConnection>>()));
        services.AddHostedService(provider => provider.GetRequiredService<RedisConnection>());

        services.AddSingleton<RedisFrameBackplane>();
        services.AddSingleton<IFrameSink>(provider => provider.GetRequiredService<RedisFrameBackplane>());
        services.AddHostedService(provider => provider.GetRequiredService<RedisFrameBackplane>());
        services.AddSingleton<RedisViewerCounts>();
        services.TryAddSingleton<IViewerCounts>(provider => provider.GetRequiredService<RedisViewerCounts>());
        services.AddHostedService(provider => provider.GetRequiredService<RedisViewerCounts>());
        services.AddSingleton<RedisRunClientCounts>();
        services.TryAddSingleton<IRunClientCounts>(provider => provider.GetRequiredService<RedisRunClientCounts>());
        services.AddHostedService(provider => provider.GetRequiredService<RedisRunClientCounts>());
        services.TryAddSingleton<ILatestFrameStore, RedisLatestFrameStore>();
        services.AddSingleton<IFrameSink>(provider => provider.GetRequiredService<ILatestFrameStore>());
        services.TryAddSingleton<IRenderStateStore, RedisRenderStateStore>();
        services.TryAddSingleton<RedisSceneStore>();
        services.TryAddSingleton<ISceneStore>(provider => provider.GetRequiredService<RedisSceneStore>());

        // Created at start-up, not at the first scene request: after an outage it must catch up on
        // scenes other instances loaded, for pages here that never asked for one yet.
        services.AddHostedService(provider => provider.GetRequiredService<RedisSceneStore>());
        services.TryAddSingleton(provider => new ScaleOutStatus(
            provider.GetRequiredService<RedisConnection>(), provider.GetRequiredService<RedisFrameBackplane>()));

        // SignalR's backplane rides on the shared connection, so one outage and one reconnect govern all.
        signalR.AddStackExchangeRedis();
        services.AddOptions<RedisOptions>().Configure<RedisConnection>((options, redis) =>
            options.ConnectionFactory = _ => redis.ConnectAsync());

        // Frames cross through the frame backplane; the control hub gets SignalR's Redis backplane,
        // wrapped to survive outages.
        services.AddSingleton(provider => new OutageTolerantHubLifetimeManager<TControlHub>(
            ActivatorUtilities.CreateInstance<RedisHubLifetimeManager<TControlHub>>(provider),
            provider.GetRequiredService<RedisConnection>(),
            provider.GetRequiredService<ILoggerFactory>()));
        return true;
    }

    private sealed class OptionsValidator : IValidateOptions<RedisScaleOutOptions>
    {
        public ValidateOptionsResult Validate(string? name, RedisScaleOutOptions options)
        {
            var failures = options.Validate().ToList();
            return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
        }
    }
}
