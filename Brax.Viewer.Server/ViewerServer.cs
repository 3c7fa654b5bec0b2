namespace Brax.Viewer.Server;

/// <summary>Builds the Brax Viewer Hub web application: the one place that wires the host together.</summary>
public static class ViewerServer
{
    /// <summary>The address every documented example uses, taken when no URL or port is configured.</summary>
    public const string DefaultUrl = "http://127.0.0.1:8000";

    /// <summary>Builds the application from command-line arguments, environment and appsettings.json.</summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(Scenes.SceneCommandLine.Normalize(args));
        configure?.Invoke(builder);
        builder.Services.AddScenes(builder.Configuration);
        var app = builder.Build();
        app.MapGet("/healthz", () => Results.Ok(new { status = "ok" }));
        app.MapSceneApi().MapViewerPage();
        return app;
    }
}
