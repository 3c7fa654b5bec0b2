using System.Text.RegularExpressions;
using Brax.Viewer.Tests.Infrastructure;

namespace Brax.Viewer.Tests.Docs;

/// <summary>
/// The fenced code blocks of README.md and docs/**/*.md, with the marker that says why a block is
/// not run: <c>&lt;!-- sample: not run (REASON) --&gt;</c> on the line right above its fence.
/// </summary>
public static partial class MarkdownSamples
{
    private static readonly Lazy<(IReadOnlyList<DocSample> Samples, IReadOnlyList<string> StrayMarkers)> Parsed = new(ParseAll);

    /// <summary>Every fenced block of the documentation, in file and line order.</summary>
    public static IReadOnlyList<DocSample> All => Parsed.Value.Samples;

    /// <summary>Markers (as <c>file:line</c>) that do not stand right above a fence, so mark nothing.</summary>
    public static IReadOnlyList<string> StrayMarkers => Parsed.Value.StrayMarkers;

    /// <summary>The Markdown files of the documentation, relative to the repository root.</summary>
    public static IEnumerable<string> Files()
    {
        yield return "README.md";
        var docs = Path.Combine(BraxFixtures.RepositoryRoot, "docs");
        foreach (var file in Directory.EnumerateFiles(docs, "*.md", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var relative = Path.GetRelativePath(BraxFixtures.RepositoryRoot, file);
            if (!relative.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj" or "node_modules"))
            {
                yield return relative;
            }
        }
    }

    /// <summary>The blocks of one Markdown text.</summary>
    public static (List<DocSample> Samples, List<string> StrayMarkers) Parse(string file, string markdown)
    {
        ArgumentNullException.ThrowIfNull(markdown);
        var lines = markdown.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var samples = new List<DocSample>();
        var markers = new List<string>();
        for (var i = 0; i < lines.Length; i++)
        {
            if (Marker().IsMatch(lines[i]) && (i + 1 >= lines.Length || !Fence().IsMatch(lines[i + 1])))
            {
                markers.Add($"{file}:{i + 1}");
            }

            var open = Fence().Match(lines[i]);
            if (!open.Success)
            {
                continue;
            }

            var indent = open.Groups["indent"].Length;
            var fence = open.Groups["fence"].Value;
            var reason = i > 0 && Marker().Match(lines[i - 1]) is { Success: true } marker ? marker.Groups["reason"].Value.Trim() : null;
            var text = new List<string>();
            var start = i;
            for (i++; i < lines.Length && !IsClosing(lines[i], fence); i++)
            {
                // Content is indented like its fence (a block inside a list item); that indentation is not the sample's.
                var line = lines[i];
                var strip = 0;
                while (strip < indent && strip < line.Length && line[strip] == ' ')
                {
                    strip++;
                }

                text.Add(line[strip..]);
            }

            samples.Add(new DocSample(file, start + 1, open.Groups["language"].Value.ToLowerInvariant(), string.Join('\n', text) + "\n", reason));
        }

        return (samples, markers);
    }

    private static bool IsClosing(string line, string fence)
    {
        var trimmed = line.Trim();
        return trimmed.Length >= fence.Length && trimmed.All(c => c == fence[0]);
    }

    private static (IReadOnlyList<DocSample>, IReadOnlyList<string>) ParseAll()
    {
        var samples = new List<DocSample>();
        var markers = new List<string>();
        foreach (var file in Files())
        {
            var (fileSamples, fileMarkers) = Parse(file, File.ReadAllText(Path.Combine(BraxFixtures.RepositoryRoot, file)));
            samples.AddRange(fileSamples);
            markers.AddRange(fileMarkers);
        }

        return (samples, markers);
    }

    [GeneratedRegex(@"^(?<indent> *)(?<fence>`{3,}|~{3,})\s*(?<language>[^\s`~]*)")]
    private static partial Regex Fence();

    [GeneratedRegex(@"^\s*<!--\s*sample:\s*not run\s*\((?<reason>.*)\)\s*-->\s*$")]
    private static partial Regex Marker();
}
