using System.ComponentModel;
using System.Reflection;
using Brax.Viewer.Server.Startup;

namespace Brax.Viewer.Server.Configuration;

/// <summary>
/// Refuses settings under the <c>Viewer</c> section that no options type reads, and values that do
/// not convert to their property's type. A mistyped or invented key (<c>Viewer:SendTimeoutSeconds</c>)
/// would otherwise be ignored without a word, and a value such as <c>Viewer:MaxFrameBytes=16MB</c>
/// would fail deep inside the start with a stack instead of a line naming it.
/// </summary>
internal sealed class ViewerSettingsCheck
{
    private const string SectionNameField = "SectionName";

    // Configuration keys are case-insensitive, and so is binding them to properties.
    private readonly Dictionary<string, Dictionary<string, PropertyInfo>> _keysBySection = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>A check of the sections and keys of <paramref name="optionsTypes"/>.</summary>
    public ViewerSettingsCheck(IEnumerable<Type> optionsTypes)
    {
        foreach (var type in optionsTypes)
        {
            var section = SectionOf(type);
            if (!_keysBySection.TryGetValue(section, out var keys))
            {
                keys = new Dictionary<string, PropertyInfo>(StringComparer.OrdinalIgnoreCase);
                _keysBySection.Add(section, keys);
            }

            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                // The binder sets public setters and fills get-only collections (Viewer:AllowedOrigins:0, …).
                if (property.SetMethod is { IsPublic: true }
                    || (property.PropertyType != typeof(string) && typeof(System.Collections.IEnumerable).IsAssignableFrom(property.PropertyType)))
                {
                    keys[property.Name] = property;
                }
            }
        }
    }

    /// <summary>The sections the options types bind to, such as <c>Viewer</c> and <c>Viewer:Redis</c>.</summary>
    public IReadOnlyCollection<string> Sections => _keysBySection.Keys;

    /// <summary>Throws a <see cref="StartupException"/> naming every problem of the <c>Viewer</c> settings in <paramref name="configuration"/>.</summary>
    public static void Enforce(IConfiguration configuration)
    {
        var problems = new ViewerSettingsCheck(ViewerOptionsTypes.All).FindProblems(configuration);
        if (problems.Count > 0)
        {
            throw new StartupException(string.Join("; ", problems));
        }
    }

    /// <summary>One line per setting that no options type reads or whose value does not convert.</summary>
    public IReadOnlyList<string> FindProblems(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var problems = new List<string>();

        // Start at the outermost sections; the ones inside them are reached as their children.
        foreach (var section in _keysBySection.Keys.Where(section => !_keysBySection.ContainsKey(ParentOf(section))))
        {
            Check(configuration.GetSection(section), problems);
        }

        return problems;
    }

    private void Check(IConfigurationSection section, List<string> problems)
    {
        var keys = _keysBySection[section.Path];
        foreach (var child in section.GetChildren())
        {
            if (_keysBySection.ContainsKey(child.Path))
            {
                Check(child, problems);
            }
            else if (keys.TryGetValue(child.Key, out var property))
            {
                CheckValue(section, child, property, problems);
            }
            else
            {
                var suggestion = Closest(child.Key, KnownNames(section.Path)) is { } known ? $" (did you mean {section.Path}:{known}?)" : "";
                foreach (var (key, _) in child.AsEnumerable().Where(setting => setting.Value is not null).OrderBy(setting => setting.Key, StringComparer.Ordinal))
                {
                    problems.Add($"unknown setting {key}{suggestion}");
                }
            }
        }
    }

    private static void CheckValue(IConfigurationSection section, IConfigurationSection child, PropertyInfo property, List<string> problems)
    {
        if (child.Value is null || !TypeDescriptor.GetConverter(property.PropertyType).CanConvertFrom(typeof(string)))
        {
            return;
        }

        try
        {
            // The binder's own conversion, so a value passes here exactly when binding accepts it.
            section.GetValue(property.PropertyType, child.Key);
        }
        catch (InvalidOperationException)
        {
            problems.Add($"{child.Path}: \"{child.Value}\" is not {Describe(property.PropertyType)}");
        }
    }

    private IEnumerable<string> KnownNames(string section) =>
        _keysBySection[section].Values.Select(property => property.Name)
            .Concat(_keysBySection.Keys.Where(inner => string.Equals(ParentOf(inner), section, StringComparison.OrdinalIgnoreCase)).Select(inner => inner[(section.Length + 1)..]));

    /// <summary>The known name <paramref name="key"/> was most likely meant to be, or null when none is close.</summary>
    internal static string? Closest(string key, IEnumerable<string> known)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var name in known.Order(StringComparer.Ordinal))
        {
            var distance = Distance(key.ToUpperInvariant(), name.ToUpperInvariant());

            // A typo is a few edits; a key that adds to or cuts a known one (SendTimeoutSeconds,
            // MaxFrame) is close whatever its length.
            var close = distance <= Math.Max(2, Math.Min(key.Length, name.Length) / 3)
                || key.StartsWith(name, StringComparison.OrdinalIgnoreCase)
                || name.StartsWith(key, StringComparison.OrdinalIgnoreCase);
            if (close && distance < bestDistance)
            {
                (best, bestDistance) = (name, distance);
            }
        }

        return best;
    }

    /// <summary>Levenshtein distance: the fewest insertions, deletions and substitutions from one to the other.</summary>
    private static int Distance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        var current = new int[b.Length + 1];
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j], current[j - 1]) + 1);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }

    private static string Describe(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(TimeSpan))
        {
            return "a time span (hh:mm:ss, e.g. 00:00:15)";
        }

        if (type == typeof(bool))
        {
            return "true or false";
        }

        return type == typeof(int) || type == typeof(long) ? "a whole number" : $"a valid {type.Name}";
    }

    private static string ParentOf(string section)
    {
        var colon = section.LastIndexOf(':');
        return colon < 0 ? "" : section[..colon];
    }

    private static string SectionOf(Type type)
    {
        var field = type.GetField(SectionNameField, BindingFlags.Public | BindingFlags.Static);
        return field is { IsLiteral: true } && field.GetRawConstantValue() is string section
            ? section
            : throw new InvalidOperationException($"{type.FullName} has no public const string {SectionNameField}, so the configuration section it binds to is unknown.");
    }
}
