using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using System.Text.RegularExpressions;
using Brax.Viewer.Hubs.State;

namespace Brax.Viewer.Server.Page;

/// <summary>
/// Writes a run's recording as one self-contained HTML file that replays it offline (play, pause,
/// a scrub bar and speed) and makes no network request: the replay bundle of the viewer page, three.js
/// included, with the scene and the frames inlined as JSON. What <c>brax.io.html.render</c> gives,
/// for any recorded run. The file is written straight to the output as it goes, never built whole in memory.
/// </summary>
/// <remarks>
/// The template is built with the page (<c>ClientApp/build.mjs</c>) and embedded in this assembly.
/// Its own content security policy allows only its inline script and style, by their hashes; a
/// response that carries the file must send <see cref="ContentSecurityPolicy"/> instead of the
/// server's usual policy, which allows no inline script.
/// </remarks>
public static partial class OfflineReplayExport
{
    /// <summary>The content type of the file.</summary>
    public const string ContentType = "text/html; charset=utf-8";

    private const string Resource = "replay/replay.html";
    private const string DataMarker = "{{DATA}}";

    // A UTF-8 writer's buffer is flushed to the output once it holds this much.
    private const int FlushThreshold = 64 * 1024;

    private static readonly Lazy<Template> Loaded = new(Load);

    private static ReadOnlySpan<byte> EscapedLessThan => "\\u003c"u8;

    /// <summary>
    /// The content security policy of the file, for the response that carries it: the file's own
    /// inline script and style, nothing from the network.
    /// </summary>
    public static string ContentSecurityPolicy => Loaded.Value.ContentSecurityPolicy;

    /// <summary>
    /// Writes the replay of <paramref name="frames"/> in the scene <paramref name="sceneJson"/>. The
    /// scene's link count and any top-level <c>"num_envs"</c> lay out batched frames.
    /// </summary>
    /// <param name="output">Where the HTML goes (a response's <c>BodyWriter</c>, or a file's); flushed as it fills, not completed.</param>
    /// <param name="sceneJson">The system JSON as stored (UTF-8).</param>
    /// <param name="frames">The frames in the order to replay, each with its time (Unix ms) and its JSON text as streamed (UTF-8).</param>
    /// <param name="cancellationToken">Stops the writing.</param>
    public static Task WriteAsync(PipeWriter output, ReadOnlyMemory<byte> sceneJson, IEnumerable<(long TimeMs, ReadOnlyMemory<byte> FrameJson)> frames, CancellationToken cancellationToken)
        => WriteAsync(output, sceneJson, info: null, frames, cancellationToken);

    /// <summary>
    /// Writes the replay of <paramref name="frames"/> in a stored scene, laid out as the live page
    /// lays it out (the environment count given at upload included).
    /// </summary>
    /// <param name="output">Where the HTML goes (a response's <c>BodyWriter</c>, or a file's); flushed as it fills, not completed.</param>
    /// <param name="scene">The run's scene.</param>
    /// <param name="frames">The frames in the order to replay, each with its time (Unix ms) and its JSON text as streamed (UTF-8).</param>
    /// <param name="cancellationToken">Stops the writing.</param>
    public static Task WriteAsync(PipeWriter output, StoredScene scene, IEnumerable<(long TimeMs, ReadOnlyMemory<byte> FrameJson)> frames, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scene);
        return WriteAsync(output, scene.Json, scene.Info, frames, cancellationToken);
    }

    private static async Task WriteAsync(PipeWriter output, ReadOnlyMemory<byte> sceneJson, SceneInfo? info, IEnumerable<(long TimeMs, ReadOnlyMemory<byte> FrameJson)> frames, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(frames);
        var template = Loaded.Value;

        output.Write(template.Head.Span);
        output.Write("<script type=\"application/json\" id=\"brax-scene\">"u8);
        WriteEscaped(output, sceneJson.Span);
        output.Write("</script>\n<script type=\"application/json\" id=\"brax-info\">"u8);
        WriteInfo(output, info);
        output.Write("</script>\n<script type=\"application/json\" id=\"brax-frames\">["u8);
        var first = true;
        foreach (var (timeMs, frameJson) in frames)
        {
            output.Write(first ? "\n{\"t\":"u8 : ",\n{\"t\":"u8);
            first = false;
            WriteNumber(output, timeMs);
            output.Write(",\"frame\":"u8);
            WriteEscaped(output, frameJson.Span);
            output.Write("}"u8);
            if (output.UnflushedBytes >= FlushThreshold)
            {
                var flushed = await output.FlushAsync(cancellationToken);
                if (flushed.IsCanceled || flushed.IsCompleted)
                {
                    return;
                }
            }
        }

        output.Write("\n]</script>"u8);
        output.Write(template.Tail.Span);
        await output.FlushAsync(cancellationToken);
    }

    // JSON as the text of a script element: '<' only ever occurs inside JSON strings, where \u003c
    // means the same, so no "</script>" and no "<!--" can end or bend the element.
    private static void WriteEscaped(PipeWriter output, ReadOnlySpan<byte> json)
    {
        while (json.Length > 0)
        {
            var next = json.IndexOf((byte)'<');
            if (next < 0)
            {
                output.Write(json);
                return;
            }

            output.Write(json[..next]);
            output.Write(EscapedLessThan);
            json = json[(next + 1)..];
        }
    }

    private static void WriteInfo(PipeWriter output, SceneInfo? info)
    {
        if (info is null)
        {
            output.Write("null"u8);
            return;
        }

        output.Write("{\"links\":"u8);
        WriteNumber(output, info.Links);
        output.Write(",\"num_envs\":"u8);
        WriteOptional(output, info.NumEnvs);
        output.Write(",\"links_per_env\":"u8);
        WriteOptional(output, info.LinksPerEnv);
        output.Write("}"u8);
    }

    private static void WriteOptional(PipeWriter output, int? value)
    {
        if (value is { } number)
        {
            WriteNumber(output, number);
        }
        else
        {
            output.Write("null"u8);
        }
    }

    private static void WriteNumber(PipeWriter output, long value)
    {
        var span = output.GetSpan(20);
        value.TryFormat(span, out var written, default, System.Globalization.CultureInfo.InvariantCulture);
        output.Advance(written);
    }

    private static Template Load()
    {
        using var stream = typeof(OfflineReplayExport).Assembly.GetManifestResourceStream(Resource)
            ?? throw new InvalidOperationException("the offline replay was not built into this server (ClientApp/dist/replay/replay.html)");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var html = reader.ReadToEnd();

        // The marker is in the template's body, after the inlined bundle: the last one is it.
        var at = html.LastIndexOf(DataMarker, StringComparison.Ordinal);
        var policy = PolicyPattern().Match(html);
        if (at < 0 || !policy.Success)
        {
            throw new InvalidOperationException("the offline replay template has no data marker or no content security policy");
        }

        return new Template(
            Encoding.UTF8.GetBytes(html[..at]),
            Encoding.UTF8.GetBytes(html[(at + DataMarker.Length)..]),
            policy.Groups[1].Value);
    }

    [GeneratedRegex("<meta http-equiv=\"Content-Security-Policy\" content=\"([^\"]+)\">")]
    private static partial Regex PolicyPattern();

    private sealed record Template(ReadOnlyMemory<byte> Head, ReadOnlyMemory<byte> Tail, string ContentSecurityPolicy);
}
