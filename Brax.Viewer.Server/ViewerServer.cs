using Brax.Viewer.Hubs;
using Brax.Viewer.Hubs.RawShim;
using Brax.Viewer.Server.Api;
using Brax.Viewer.Server.Configuration;
using Brax.Viewer.Server.Startup;
using Microsoft.AspNetCore.Diagnostics;
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

        builder.Services.AddViewerHubs(builder.Configuration).Services.AddRedisSceneStore();
        configure?.Invoke(builder);
        builder.Services.AddScenes(builder.Configuration);

        var app = builder.Build();
        app.Lifetime.ApplicationStarted.Register(hostStartFailureLog.HostStarted);
        app.UseExceptionHandler(errors => errors.Run(http =>
            ErrorResponse.WriteAsync(http, StatusCodes.Status500InternalServerError, http.Features.Get<IExceptionHandlerFeature>()?.Error.Message ?? "internal error")));
        app.UseStatusCodePages(context => context.HttpContext.Response.ContentLength is null && context.HttpContext.Response.ContentType is null
            ? ErrorResponse.WriteAsync(context.HttpContext, context.HttpContext.Response.StatusCode, $"{context.HttpContext.Request.Path} answered {context.HttpContext.Response.StatusCode}")
            : Task.CompletedTask);
        app.UseWebSockets();

        app.MapViewerHubs();
        app.MapRenderingStatusApi();
        app.MapHealthApi();
        app.MapSceneApi().MapViewerPage();
        return app;
    }
}
