using Brax.Viewer.Client;
using Brax.Viewer.Hubs.Control;
using Brax.Viewer.Hubs.Diagnostics;
using Brax.Viewer.Hubs.Fanout;
using Brax.Viewer.Hubs.Hubs;
using Brax.Viewer.Hubs.Protocols;
using Brax.Viewer.Hubs.RawShim;
using Brax.Viewer.Hubs.ScaleOut;
using Brax.Viewer.Hubs.State;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Brax.Viewer.Hubs;

/// <summary>Registration and endpoint mapping of the hubs and their raw WebSocket endpoints.</summary>
public static class ViewerHubsExtensions
{
    /// <summary>The raw frame endpoint of the documented protocol.</summary>
    public const string RawFramePath = "/ws/frame";

    /// <summary>The raw control endpoint of the documented protocol.</summary>
    public const string RawControlPath = "/ws/control";

    // Room for the SignalR envelope around a frame of the largest accepted size.
    private const long EnvelopeAllowance = 64 * 1024;

    /// <summary>
    /// Adds SignalR with the JSON and MessagePack protocols, the two hubs, the raw protocols, the
    /// latest-frame fan-out and the in-memory render state, or scale-out on Redis when
    /// <c>ConnectionStrings:Redis</c> is set; binds <see cref="ViewerOptions"/> from
    /// the <c>Viewer</c> section and validates it at start-up.
    /// </summary>
    public static ISignalRServerBuilder AddViewerHubs(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ViewerOptions>()
            .Bind(configuration.GetSection(ViewerOptions.SectionName))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<ViewerOptions>, ViewerOptionsValidator>();

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<HubDiagnostics>();
        services.TryAddSingleton<ViewerGroups>();
        services.TryAddSingleton<KeepAliveSweep>();
        services.TryAddSingleton<HubLifetimeManager<FrameHub>, FrameHubLifetimeManager>();
        services.TryAddSingleton<IRenderStateStore, InMemoryRenderStateStore>();
        services.TryAddSingleton<IControlChannel, ControlChannel>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHubProtocol, RawFrameProtocol>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHubProtocol, RawControlProtocol>());

        var signalR = services.AddSignalR().AddMessagePackProtocol();

        // Each hub speaks JSON, MessagePack and its own raw protocol, and nothing else: a protocol
        // listed on a hub is serialised for every message sent to it.
        signalR.AddHubOptions<FrameHub>(_ => { });
        signalR.AddHubOptions<ControlHub>(_ => { });
        services.AddOptions<HubOptions<FrameHub>>().Configure<IOptions<ViewerOptions>>((hub, viewer) =>
        {
            hub.SupportedProtocols = ["json", "messagepack", RawFrameProtocol.ProtocolName];
            hub.MaximumReceiveMessageSize = viewer.Value.MaxFrameBytes + EnvelopeAllowance;
        });
        services.AddOptions<HubOptions<ControlHub>>().Configure<IOptions<ViewerOptions>>((hub, viewer) =>
        {
            hub.SupportedProtocols = ["json", "messagepack", RawControlProtocol.ProtocolName];
            hub.MaximumReceiveMessageSize = viewer.Value.MaxControlMessageBytes + EnvelopeAllowance;
        });
        return signalR.AddRedisScaleOut(configuration);
    }

    /// <summary>Maps <c>/hubs/frame</c>, <c>/hubs/control</c>, <c>/ws/frame</c> and <c>/ws/control</c>.</summary>
    public static IEndpointRouteBuilder MapViewerHubs(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapHub<FrameHub>(FrameHubContract.Path);
        endpoints.MapHub<ControlHub>(ControlHubContract.Path);

        var options = endpoints.ServiceProvider.GetRequiredService<IOptions<ViewerOptions>>().Value;
        var frames = new RawEndpoint(RawFramePath, RawFrameProtocol.ProtocolName, options.MaxFrameBytes, role => role.IsStreamer);
        var control = new RawEndpoint(RawControlPath, RawControlProtocol.ProtocolName, options.MaxControlMessageBytes, _ => true);
        endpoints.Map(frames.Path, frames.HandleAsync<FrameHub>);
        endpoints.Map(control.Path, control.HandleAsync<ControlHub>);
        return endpoints;
    }

    private sealed class ViewerOptionsValidator : IValidateOptions<ViewerOptions>
    {
        public ValidateOptionsResult Validate(string? name, ViewerOptions options)
        {
            var failures = options.Validate().ToList();
            return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
        }
    }
}
