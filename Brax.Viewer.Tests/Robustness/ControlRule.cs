using System.Text.Json;

namespace Brax.Viewer.Tests.Robustness;

/// <summary>
/// The documented control rule, read with the strict oracle (<see cref="StrictJson"/>): a message
/// is <c>toggle_render</c> when it is valid JSON whose outer object's last <c>type</c> is the string
/// <c>"toggle_render"</c> and whose last <c>enabled</c> is a JSON boolean.
/// </summary>
internal static class ControlRule
{
    /// <summary>The toggle's value, or null when the text is no toggle.</summary>
    public static bool? Toggle(byte[] bytes)
    {
        if (!StrictJson.TryParse(bytes, out var document, out _))
        {
            return null;
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            JsonElement? type = null, enabled = null;
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Name == "type")
                {
                    type = property.Value;
                }
                else if (property.Name == "enabled")
                {
                    enabled = property.Value;
                }
            }

            return type is { ValueKind: JsonValueKind.String } t && t.GetString() == "toggle_render" && enabled is { ValueKind: JsonValueKind.True or JsonValueKind.False } e
                ? e.ValueKind == JsonValueKind.True
                : null;
        }
    }
}
