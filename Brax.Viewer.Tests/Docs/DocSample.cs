namespace Brax.Viewer.Tests.Docs;

/// <summary>One fenced code block of the documentation.</summary>
/// <param name="File">The Markdown file, relative to the repository root (<c>docs/viewer.md</c>).</param>
/// <param name="Line">The line of the opening fence, from 1.</param>
/// <param name="Language">The fence's language, lower case (<c>csharp</c>, <c>bash</c>); empty for a block without one.</param>
/// <param name="Text">The block's text, without the indentation of its fence, ending in a newline.</param>
/// <param name="NotRunReason">The reason of a <c>&lt;!-- sample: not run (REASON) --&gt;</c> line right above the fence, or null.</param>
public sealed record DocSample(string File, int Line, string Language, string Text, string? NotRunReason)
{
    /// <summary>Where the block is, as <c>file:line</c>.</summary>
    public string Location => $"{File}:{Line}";

    /// <inheritdoc />
    public override string ToString() => $"{Location} ({(Language.Length == 0 ? "no language" : Language)})";
}
