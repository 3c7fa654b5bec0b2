using Brax.Viewer.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Brax.Viewer.Tests.Page.Browser;

/// <summary>
/// One headless Chromium (Debian's, driven by Playwright; no browser download) and one server for
/// all browser tests, since launching either costs more than most tests.
/// </summary>
public sealed class ChromiumFixture : IAsyncLifetime
{
    public const string ExecutablePath = "/usr/bin/chromium";

    /// <summary>WebGL 2 through SwiftShader, and no background traffic to the (closed) network.</summary>
    public static readonly string[] Flags =
    [
        "--no-sandbox", "--disable-gpu", "--use-gl=swiftshader", "--enable-unsafe-swiftshader", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ];

    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    public ViewerTestServer Server { get; private set; } = null!;

    /// <summary>Loads <paramref name="scene"/> into <paramref name="run"/> of the shared server and opens the page on the run, its viewer built.</summary>
    internal async Task<ViewerPageSession> OpenViewerAsync(string run, byte[] scene)
    {
        await ViewerPageTests.PutSceneAsync(Server, run, scene);
        var page = await ViewerPageSession.OpenAsync(Browser, Server.Http($"/?run={run}"));
        try
        {
            await page.WaitForViewerAsync();
            return page;
        }
        catch
        {
            await page.DisposeAsync();
            throw;
        }
    }

    /// <summary>Screenshots kept from the run (bin/.../artifacts/screenshots).</summary>
    public static string ArtifactsDirectory { get; } = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "artifacts", "screenshots")).FullName;

    public async Task InitializeAsync()
    {
        if (!File.Exists(ExecutablePath))
        {
            throw new InvalidOperationException($"{ExecutablePath} is missing: install Debian's chromium (apt-get install -y chromium)");
        }

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args = Flags,
        });
        Server = await ViewerTestServer.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }

        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }
}
