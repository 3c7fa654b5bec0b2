namespace Brax.Viewer.Tests.Infrastructure;

/// <summary>One sample line of a Prometheus text exposition: a series (name and labels) and its value.</summary>
public sealed record PrometheusSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value)
{
    /// <summary>The series this sample belongs to: its name and its labels in order, values as they are.</summary>
    public string Series => $"{Name}{{{string.Join(',', Labels.OrderBy(label => label.Key, StringComparer.Ordinal).Select(label => $"{label.Key}={label.Value}"))}}}";

    public bool HasLabels(IEnumerable<(string Label, string Value)> labels) =>
        labels.All(wanted => Labels.TryGetValue(wanted.Label, out var value) && value == wanted.Value);

    public override string ToString() =>
        $"{Name}{{{string.Join(',', Labels.Select(label => $"{label.Key}=\"{label.Value}\""))}}} {Value}";
}
