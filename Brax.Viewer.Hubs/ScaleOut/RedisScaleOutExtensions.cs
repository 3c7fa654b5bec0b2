using Brax.Viewer.Hubs.Hubs;
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
internal static class RedisScaleOutExtensions
{
    /// <summary>
    /// Without a Redis connection string: a single server, nothing changes. With one: one shared
    /// Redis connection, SignalR's Redis backplane for the control hub (kept serving local clients
    /// through outages), the frame backplane for the frame hub, and the render toggle in Redis.
    /// </summary>
    public static ISignalRServerBuilder AddRedisScaleOut(this ISignalRServerBuilder signalR, IConfiguration configuration)
    {
        var services = signalR.Services;
        services.AddOptions<RedisScaleOutOptions>()
            .Bind(configuration.GetSection(RedisScaleOutOptions.SectionName))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<RedisScaleOutOptions>, OptionsValidator>();

        var connectionString = configuration.GetConnectionString(RedisScaleOutOptions.ConnectionStringName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            services.TryAddSingleton<IFrameBackplane, LocalFrameBackplane>();
            services.TryAddSingleton(new ScaleOutStatus(null, null));
            return signalR;
        }

        services.AddSingleton(provider => new RedisConnection(
            connectionString,
            provider.GetRequiredService<IOptions<RedisScaleOutOptions>>(),
            provider.GetRequiredService<ILogger<RedisConnection>>()));
        services.AddHostedService(provider => provider.GetRequiredService<RedisConnection>());

        services.AddSingleton<LatestFrames>();
        services.AddSingleton<RedisFrameBackplane>();
        services.Replace(ServiceDescriptor.Singleton<IFrameBackplane>(provider => provider.GetRequiredService<RedisFrameBackplane>()));
        services.AddHostedService(provider => provider.GetRequiredService<RedisFrameBackplane>());
        services.Replace(ServiceDescriptor.Singleton<IRenderStateStore, RedisRenderStateStore>());
        services.Replace(ServiceDescriptor.Singleton(provider => new ScaleOutStatus(
            provider.GetRequiredService<RedisConnection>(), provider.GetRequiredService<RedisFrameBackplane>())));

        // SignalR's backplane rides on the shared connection, so one outage and one reconnect govern all.
        signalR.AddStackExchangeRedis();
        services.AddOptions<RedisOptions>().Configure<RedisConnection>((options, redis) =>
            options.ConnectionFactory = _ => redis.ConnectAsync());

        // The frame hub keeps its own lifetime manager (frames cross through the frame backplane);
        // the control hub gets SignalR's Redis backplane, wrapped to survive outages.
        services.Replace(ServiceDescriptor.Singleton<HubLifetimeManager<ControlHub>>(provider =>
            new OutageTolerantHubLifetimeManager<ControlHub>(
                ActivatorUtilities.CreateInstance<RedisHubLifetimeManager<ControlHub>>(provider),
                provider.GetRequiredService<RedisConnection>(),
                provider.GetRequiredService<ILogger<DefaultHubLifetimeManager<ControlHub>>>())));
        return signalR;
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
