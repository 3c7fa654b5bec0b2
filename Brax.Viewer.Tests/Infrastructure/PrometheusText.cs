using System.Globalization;
using System.Text;

namespace Brax.Viewer.Tests.Infrastructure;

/// <summary>
/// A parsed Prometheus text exposition (format 0.0.4): <c># TYPE</c> lines and samples with their
/// labels, escapes included. Anything malformed throws, so a broken <c>/metrics</c> fails the test
/// that reads it instead of matching by accident.
/// </summary>
public sealed class PrometheusText
{
    private readonly List<PrometheusSample> _samples = [];
    private readonly Dictionary<string, string> _types = new(StringComparer.Ordinal);

    private PrometheusText()
    {
    }

    public IReadOnlyList<PrometheusSample> Samples => _samples;

    public static PrometheusText Parse(string text)
    {
        var parsed = new PrometheusText();
        var series = new HashSet<string>(StringComparer.Ordinal);
        var number = 0;
        foreach (var raw in text.Split('\n'))
        {
            number++;
            var line = raw.TrimEnd('\r');
            if (line.Length == 0)
            {
                continue;
            }

            try
            {
                if (line[0] == '#')
                {
                    parsed.ReadComment(line);
                    continue;
                }

                var sample = ReadSample(line);
                if (!series.Add(sample.Series))
                {
                    throw new FormatException("the same series twice");
                }

                parsed._samples.Add(sample);
            }
            catch (Exception ex) when (ex is FormatException or ArgumentOutOfRangeException or IndexOutOfRangeException)
            {
                throw new FormatException($"line {number} of the exposition is malformed ({ex.Message}): {line}", ex);
            }
        }

        return parsed;
    }

    /// <summary>The type a <c># TYPE</c> line gave the family, or null.</summary>
    public string? TypeOf(string family) => _types.GetValueOrDefault(family);

    /// <summary>Every sample named <paramref name="name"/> that carries all of <paramref name="labels"/>.</summary>
    public IEnumerable<PrometheusSample> All(string name, params (string Label, string Value)[] labels) =>
        _samples.Where(sample => sample.Name == name && sample.HasLabels(labels));

    /// <summary>The value of the one series named <paramref name="name"/> with <paramref name="labels"/>; 0 when the series does not exist yet.</summary>
    public double ValueOrZero(string name, params (string Label, string Value)[] labels)
    {
        var matches = All(name, labels).ToList();
        return matches.Count switch
        {
            0 => 0,
            1 => matches[0].Value,
            _ => throw new InvalidOperationException($"{matches.Count} series match {name} {string.Join(',', labels)}: {string.Join("; ", matches)}"),
        };
    }

    /// <summary>The value of the one series named <paramref name="name"/> with <paramref name="labels"/>; throws when there is none or more than one.</summary>
    public double Value(string name, params (string Label, string Value)[] labels)
    {
        var matches = All(name, labels).ToList();
        return matches.Count == 1
            ? matches[0].Value
            : throw new InvalidOperationException($"{matches.Count} series match {name} {string.Join(',', labels)}; the exposition has: {string.Join("; ", _samples.Where(s => s.Name == name))}");
    }

    private void ReadComment(string line)
    {
        var parts = line.Split(' ', 4, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length >= 4 && parts[1] == "TYPE")
        {
            if (!_types.TryAdd(parts[2], parts[3]))
            {
                throw new FormatException($"a second TYPE for {parts[2]}");
            }
        }
    }

    private static PrometheusSample ReadSample(string line)
    {
        var at = 0;
        var name = ReadName(line, ref at, allowColon: true);
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (at < line.Length && line[at] == '{')
        {
            at++;
            while (true)
            {
                SkipSpaces(line, ref at);
                if (line[at] == '}')
                {
                    at++;
                    break;
                }

                var label = ReadName(line, ref at, allowColon: false);
                Expect(line, ref at, '=');
                Expect(line, ref at, '"');
                if (!labels.TryAdd(label, ReadLabelValue(line, ref at)))
                {
                    throw new FormatException($"label {label} twice");
                }

                SkipSpaces(line, ref at);
                if (line[at] == ',')
                {
                    at++;
                }
                else if (line[at] != '}')
                {
                    throw new FormatException($"',' or '}}' expected at {at}");
                }
            }
        }

        if (at >= line.Length || line[at] != ' ')
        {
            throw new FormatException($"a space before the value expected at {at}");
        }

        // The value, then an optional timestamp.
        var rest = line[at..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (rest.Length is < 1 or > 2)
        {
            throw new FormatException("a value and at most a timestamp expected");
        }

        return new PrometheusSample(name, labels, ReadValue(rest[0]));
    }

    private static string ReadName(string line, ref int at, bool allowColon)
    {
        var start = at;
        while (at < line.Length && (char.IsAsciiLetter(line[at]) || line[at] == '_' || (allowColon && line[at] == ':') || (at > start && char.IsAsciiDigit(line[at]))))
        {
            at++;
        }

        return at > start ? line[start..at] : throw new FormatException($"a name expected at {start}");
    }

    private static string ReadLabelValue(string line, ref int at)
    {
        var value = new StringBuilder();
        while (line[at] != '"')
        {
            if (line[at] == '\\')
            {
                at++;
                value.Append(line[at] switch
                {
                    '\\' => '\\',
                    '"' => '"',
                    'n' => '\n',
                    _ => throw new FormatException($"unknown escape \\{line[at]}"),
                });
            }
            else
            {
                value.Append(line[at]);
            }

            at++;
        }

        at++;
        return value.ToString();
    }

    private static double ReadValue(string token) => token switch
    {
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        "NaN" => double.NaN,
        _ => double.Parse(token, NumberStyles.Float, CultureInfo.InvariantCulture),
    };

    private static void Expect(string line, ref int at, char expected)
    {
        if (line[at] != expected)
        {
            throw new FormatException($"'{expected}' expected at {at}");
        }

        at++;
    }

    private static void SkipSpaces(string line, ref int at)
    {
        while (line[at] == ' ')
        {
            at++;
        }
    }
}
