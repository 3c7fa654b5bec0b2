using System.Text.RegularExpressions;

namespace Brax.Viewer.Tests.Infrastructure;

/// <summary>The fenced code blocks of one section of README.md, and the marker that says a block is not run.</summary>
public static partial class ReadmeBlocks
{
    /// <summary>One block: its language, its text (ending in a newline), and the reason of a <c>&lt;!-- sample: not run (REASON) --&gt;</c> line right above it.</summary>
    public sealed record Block(string Language, string Text, string? NotRunReason);

    /// <summary>The blocks of the <c>## <paramref name="section"/></c> section, in order.</summary>
    public static IReadOnlyList<Block> InSection(string section)
    {
        var lines = File.ReadAllText(Path.Combine(BraxFixtures.RepositoryRoot, "README.md")).Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var start = Array.FindIndex(lines, line => line == "## " + section);
        if (start < 0)
        {
            return [];
        }

        var blocks = new List<Block>();
        for (var i = start + 1; i < lines.Length && !lines[i].StartsWith("## ", StringComparison.Ordinal); i++)
        {
            var open = Fence().Match(lines[i]);
            if (!open.Success)
            {
                continue;
            }

            var reason = Marker().Match(lines[i - 1]) is { Success: true } marker ? marker.Groups[1].Value : null;
            var text = new List<string>();
            for (i++; i < lines.Length && lines[i] != "```"; i++)
            {
                text.Add(lines[i]);
            }

            blocks.Add(new Block(open.Groups[1].Value, string.Join('\n', text) + "\n", reason));
        }

        return blocks;
    }

    /// <summary>The blocks of one language in the section, those marked as not run left out.</summary>
    public static IReadOnlyList<string> InSection(string section, string language) =>
        InSection(section).Where(block => block.Language == language && block.NotRunReason is null).Select(block => block.Text).ToList();

    [GeneratedRegex(@"^```(\w+)$")]
    private static partial Regex Fence();

    [GeneratedRegex(@"^<!-- sample: not run \((.+)\) -->$")]
    private static partial Regex Marker();
}
