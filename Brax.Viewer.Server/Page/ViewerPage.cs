using System.Collections.Frozen;
using System.Reflection;
using Brax.Viewer.Client;
using Brax.Viewer.Hubs.State;
using Brax.Viewer.Server.Api;
using Brax.Viewer.Server.Scenes;
using Microsoft.Net.Http.Headers;

namespace Brax.Viewer.Server.Page;

/// <summary>
/// Serves the viewer page and its bundled assets from resources embedded in this assembly, so the
/// page works wherever the server runs (any working directory, tests, a published build) and never
/// needs anything from outside the server.
/// </summary>
internal static class ViewerPage
{
    private const string ResourcePrefix = "viewer/";

    private static readonly FrozenDictionary<string, string> ContentTypes = new Dictionary<string, string>
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".svg"] = "image/svg+xml",
        [".map"] = "application/json",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly Lazy<FrozenDictionary<string, Asset>> Assets = new(LoadAssets);

    public static void Map(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/", ServeIndexAsync);
        endpoints.MapGet("/favicon.ico", () => Serve("favicon.svg"));
        endpoints.MapGet("/assets/{name}", (string name) => Serve(name));
    }

    /// <summary>
    /// The page itself: the same document with or without a scene, marked so that a run without one
    /// opens on the waiting screen at once. The page's own script then switches by itself.
    /// </summary>
    private static async Task<IResult> ServeIndexAsync(HttpContext context, ISceneStore store)
    {
        if (!Assets.Value.TryGetValue("index.html", out var index))
        {
            return ErrorResponse.Result(StatusCodes.Status500InternalServerError, "the viewer page was not built into this server");
        }

        var run = context.Request.Query[RunContract.Query].ToString();
        var loaded = RunContract.IsValidName(run.Length == 0 ? RunContract.DefaultRun : run)
            && await store.GetAsync(run.Length == 0 ? RunContract.DefaultRun : run, context.RequestAborted) is not null;
        var html = System.Text.Encoding.UTF8.GetString(index.Content.Span)
            .Replace("data-scene=\"none\"", loaded ? "data-scene=\"loaded\"" : "data-scene=\"none\"", StringComparison.Ordinal);
        context.Response.Headers.CacheControl = "no-store";
        return Results.Content(html, index.ContentType);
    }

    private static IResult Serve(string name)
        => Assets.Value.TryGetValue(name, out var asset) && name != "index.html"
            ? Results.Bytes(asset.Content, asset.ContentType, entityTag: asset.ETag)
            : ErrorResponse.Result(StatusCodes.Status404NotFound, "not found");

    private static FrozenDictionary<string, Asset> LoadAssets()
    {
        var assembly = typeof(ViewerPage).Assembly;
        var assets = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            if (!resource.StartsWith(ResourcePrefix, StringComparison.Ordinal))
            {
                continue;
            }

            var name = resource[ResourcePrefix.Length..];
            if (!ContentTypes.TryGetValue(Path.GetExtension(name), out var contentType))
            {
                continue;
            }

            var content = Read(assembly, resource);
            var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(content)[..8]);
            assets[name] = new Asset(content, contentType, new EntityTagHeaderValue($"\"{hash}\""));
        }

        return assets.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static byte[] Read(Assembly assembly, string resource)
    {
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private sealed record Asset(ReadOnlyMemory<byte> Content, string ContentType, EntityTagHeaderValue ETag);
}
