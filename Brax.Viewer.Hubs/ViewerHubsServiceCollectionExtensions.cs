using Brax.Viewer.Hubs;
using Brax.Viewer.Hubs.Access;
using Brax.Viewer.Hubs.Diagnostics;
using Brax.Viewer.Hubs.Fanout;
using Brax.Viewer.Hubs.Protocols;
using Brax.Viewer.Hubs.RawShim;
using Brax.Viewer.Hubs.Runs;
using Brax.Viewer.Hubs.ScaleOut;
using Brax.Viewer.Hubs.State;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

// Where ASP.NET Core puts AddSignalR: the host finds it without a using.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registration of the Brax Viewer hubs: the one place that wires the stages together.</summary>
public static class ViewerHubsServiceCollectionExtensions
{
    // Room for the SignalR envelope around a frame of the largest accepted size.
    private const long EnvelopeAllowance = 64 * 1024;

    /// <summary>
    /// Adds SignalR with the JSON and MessagePack protocols, the frame and control hubs, their raw
    /// protocols, the newest-wins fan-out, the stores of render toggles, scenes and newest frames (in
    /// memory, or in Redis when <c>ConnectionStrings:Redis</c> is set), the runs' frame history
    /// (<see cref="FrameHistory"/>) and their replays (<see cref="ReplayRunner"/>), and the instruments of
    /// <see cref="ViewerMetrics"/> on the host's meter factory. Binds and validates at start-up
    /// <see cref="ViewerOptions"/>, <see cref="FanoutOptions"/>, <see cref="AccessOptions"/> and
    /// <see cref="SceneStoreOptions"/> and <see cref="HistoryOptions"/> (section <c>Viewer</c>) and <see cref="RedisScaleOutOptions"/>
    /// (section <c>Viewer:Redis</c>).
    /// </summary>
    public static ISignalRServerBuilder AddViewerHubs(this IServiceCollection services, IConfiguration configuration)
    {
        AddValidatedOptions<ViewerOptions>(services, configuration, ViewerOptions.SectionName, options => options.Validate());
        AddValidatedOptions<FanoutOptions>(services, configuration, FanoutOptions.SectionName, options => options.Validate());
        AddValidatedOptions<AccessOptions>(services, configuration, AccessOptions.SectionName, options => options.Validate());
        AddValidatedOptions<SceneStoreOptions>(services, configuration, SceneStoreOptions.SectionName, options => options.Validate());
        AddValidatedOptions<HistoryOptions>(services, configuration, HistoryOptions.SectionName, options => options.Validate());
        AddAccessControl(services);

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<HubDiagnostics>();
        services.AddMetrics();
        services.TryAddSingleton<ViewerMetrics>();
        services.TryAddSingleton<BadInputLog>();
        services.TryAddSingleton<HubErrorFilter>();
        services.TryAddSingleton<KeepAliveSweep>();
        services.TryAddSingleton<ViewerGroups>();
        services.TryAddSingleton<StreamerConnections>();
        services.TryAddSingleton<LocalRunClientCounts>();

        // The run statistics and the history see every frame of a run, local or relayed, as the fan-out's observers.
        services.TryAddSingleton<RunFrameStatistics>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IFrameObserver, RunFrameStatistics>(provider => provider.GetRequiredService<RunFrameStatistics>()));
        services.TryAddSingleton<FrameHistory>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IFrameObserver, FrameHistory>(provider => provider.GetRequiredService<FrameHistory>()));
        services.TryAddSingleton(provider => new ReplayRunner(
            provider.GetRequiredService<IHubContext<FrameHub>>(),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<IHostApplicationLifetime>(),
            provider.GetRequiredService<ILogger<ReplayRunner>>()));
        services.AddHostedService<ViewerCountAnnouncer>();
        services.TryAddSingleton<FanoutHubLifetimeManager<FrameHub>>();
        services.TryAddSingleton<IControlChannel, ControlChannel>();
        services.TryAddSingleton<ControlRateLimitFilter>();
        services.AddRateLimiter(limiter => limiter.AddPolicy<string, ConnectionLimitPolicy>(ConnectionLimitPolicy.Name));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHubProtocol, RawFrameProtocol>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHubProtocol, RawControlProtocol>());

        var signalR = services.AddSignalR().AddMessagePackProtocol();

        // Each hub speaks JSON, MessagePack and its own raw protocol, and nothing else: a protocol
        // listed on a hub is serialised for every message sent to it.
        signalR.AddHubOptions<FrameHub>(_ => { });
        signalR.AddHubOptions<ControlHub>(_ => { });
        // Both log what their methods throw through the one filter: client mistakes briefly, server errors in full.
        services.AddOptions<HubOptions<FrameHub>>().Configure<IOptions<ViewerOptions>, HubErrorFilter>((hub, viewer, errors) =>
        {
            hub.SupportedProtocols = ["json", "messagepack", RawFrameProtocol.ProtocolName];
            hub.MaximumReceiveMessageSize = viewer.Value.MaxFrameBytes + EnvelopeAllowance;
            hub.AddFilter(errors);
        });
        services.AddOptions<HubOptions<ControlHub>>().Configure<IOptions<ViewerOptions>, HubErrorFilter>((hub, viewer, errors) =>
        {
            hub.SupportedProtocols = ["json", "messagepack", RawControlProtocol.ProtocolName];
            hub.MaximumReceiveMessageSize = viewer.Value.MaxControlMessageBytes + EnvelopeAllowance;

            // The error filter outermost, so a toggle refused for its rate is logged like any client mistake.
            hub.AddFilter(errors);
            hub.AddFilter<ControlRateLimitFilter>();
        });

        // Redis first: the in-memory stores below are only added where scale-out put none.
        var scaledOut = signalR.TryAddRedisScaleOut<ControlHub>(configuration);
        services.TryAddSingleton<IViewerCounts>(provider => provider.GetRequiredService<ViewerGroups>());
        services.TryAddSingleton<IRunClientCounts>(provider => provider.GetRequiredService<LocalRunClientCounts>());
        services.TryAddSingleton<IRenderStateStore, InMemoryRenderStateStore>();
        services.TryAddSingleton<ISceneStore, InMemorySceneStore>();

        // The run directory, and the sweep that keeps what it remembers of runs bounded.
        services.TryAddSingleton(provider => new RunDirectory(
            provider.GetRequiredService<IRunClientCounts>(),
            provider.GetRequiredService<RunFrameStatistics>(),
            provider.GetRequiredService<ISceneStore>(),
            provider.GetRequiredService<FrameHistory>(),
            provider.GetRequiredService<ReplayRunner>(),
            provider.GetRequiredService<IOptions<FanoutOptions>>()));
        services.AddHostedService<IdleRunSweep>();

        // Frames go through the fan-out (and the frame backplane); the toggle through SignalR's own
        // manager, or its Redis backplane when scaled out. Both tell SignalR clients when the server stops.
        services.AddSingleton<HubLifetimeManager<FrameHub>>(provider => new ShutdownClosingHubLifetimeManager<FrameHub>(
            provider.GetRequiredService<FanoutHubLifetimeManager<FrameHub>>(),
            provider.GetRequiredService<IHostApplicationLifetime>(),
            provider.GetRequiredService<IOptions<ViewerOptions>>().Value.ShutdownTimeout / 2));
        services.AddSingleton<HubLifetimeManager<ControlHub>>(provider => new ShutdownClosingHubLifetimeManager<ControlHub>(
            scaledOut
                ? provider.GetRequiredService<OutageTolerantHubLifetimeManager<ControlHub>>()
                : new DefaultHubLifetimeManager<ControlHub>(provider.GetRequiredService<ILogger<DefaultHubLifetimeManager<ControlHub>>>()),
            provider.GetRequiredService<IHostApplicationLifetime>(),
            provider.GetRequiredService<IOptions<ViewerOptions>>().Value.ShutdownTimeout / 2));
        return signalR;
    }

    // Keys and policies through ASP.NET Core's authentication and authorization, so endpoints, hubs
    // and hub methods say what they need where they are declared.
    private static void AddAccessControl(IServiceCollection services)
    {
        services.AddAuthentication(AccessKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, AccessKeyAuthenticationHandler>(AccessKeyAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(AccessPolicies.View, policy => policy.AddRequirements(new AccessRequirement(AccessRequirement.Needs.View)))
            .AddPolicy(AccessPolicies.Stream, policy => policy.AddRequirements(new AccessRequirement(AccessRequirement.Needs.Stream)))
            .AddPolicy(AccessPolicies.ConnectFrames, policy => policy.AddRequirements(new AccessRequirement(AccessRequirement.Needs.StreamOrViewByQuery)));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAuthorizationHandler, AccessRequirementHandler>());
    }

    private static void AddValidatedOptions<TOptions>(IServiceCollection services, IConfiguration configuration, string section, Func<TOptions, IEnumerable<string>> validate)
        where TOptions : class
    {
        services.AddOptions<TOptions>()
            .Bind(configuration.GetSection(section))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>>(new ListValidator<TOptions>(validate)));
    }

    private sealed class ListValidator<TOptions>(Func<TOptions, IEnumerable<string>> validate) : IValidateOptions<TOptions>
        where TOptions : class
    {
        public ValidateOptionsResult Validate(string? name, TOptions options)
        {
            var failures = validate(options).ToList();
            return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
        }
    }
}
