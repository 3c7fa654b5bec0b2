using Brax.Viewer.Hubs;
using Brax.Viewer.Server.Api;
using Brax.Viewer.Server.Configuration;
using Brax.Viewer.Server.Runs;
using Brax.Viewer.Server.Startup;
using Brax.Viewer.Server.Telemetry;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace Brax.Viewer.Server;

/// <summary>Builds the Brax Viewer Hub web application: the one place that wires the host together.</summary>
public static class ViewerServer
{
    /// <summary>The address every documented example uses, taken when no URL or port is configured.</summary>
    public const string DefaultUrl = "http://127.0.0.1:8000";

    /// <summary>Builds the application from command-line arguments, environment and appsettings.json.</summary>
    /// <exception cref="StartupException">A <c>Viewer:*</c> setting is unknown or its value does not convert.</exception>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(Scenes.SceneCommandLine.Normalize(args));
        ViewerSettingsCheck.Enforce(builder.Configuration);
        // Whoever starts the host reports a failed start; the host's own report would repeat it as a stack.
        var hostStartFailureLog = new HostStartFailureLogFilter();
        builder.Services.AddSingleton<IPostConfigureOptions<LoggerFilterOptions>>(hostStartFailureLog);
        if (ListenAddress.Resolve(builder.Configuration, Environment.GetEnvironmentVariable) is { } url)
        {
            builder.WebHost.UseUrls(url);
        }

        builder.Services.AddViewerHubs(builder.Configuration);
        builder.Services.AddTrustedProxies(builder.Configuration);
        builder.Services.AddRequestBodyLimit(builder.Configuration);
        builder.Services.AddTransport(builder.Configuration);

        // The whole stop, connections included, is bounded by Viewer:ShutdownTimeout, not the host's 30 s.
        builder.Services.AddOptions<HostOptions>().Configure<IOptions<ViewerOptions>>((host, viewer) => host.ShutdownTimeout = viewer.Value.ShutdownTimeout);
        builder.Services.AddScenes(builder.Configuration);
        builder.AddViewerTelemetry();
        configure?.Invoke(builder);

        var app = builder.Build();
        app.Lifetime.ApplicationStarted.Register(hostStartFailureLog.HostStarted);
        app.UseTrustedProxies();
        app.UseSecurityHeaders();

        // The exception handler logs the exception; the client only learns which request to look for,
        // never the exception's text, which may name files, settings or internals.
        app.UseExceptionHandler(errors => errors.Run(http =>
            ErrorResponse.WriteAsync(http, StatusCodes.Status500InternalServerError, $"internal error (request {http.TraceIdentifier}); the server's log has the details")));

        // Statuses without a body of their own get the JSON error body; it never echoes the request.
        app.UseStatusCodePages(context => context.HttpContext.Response.ContentLength is null && context.HttpContext.Response.ContentType is null
            ? ErrorResponse.WriteAsync(context.HttpContext, context.HttpContext.Response.StatusCode, ReasonPhrases.GetReasonPhrase(context.HttpContext.Response.StatusCode).ToLowerInvariant())
            : Task.CompletedTask);
        app.UseMiddleware<RequestBodyLimitMiddleware>();
        app.UseWebSockets();
        app.UseViewerAccess();

        app.MapViewerHubs();
        app.MapRenderingStatusApi();
        app.MapRunsApi().MapRecordingApi().MapReplayApi();
        app.MapHealthApi();
        app.MapMetrics();
        app.MapSceneApi().MapViewerPage();
        return app;
    }
}
