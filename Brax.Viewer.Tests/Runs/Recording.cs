using System.Text;

namespace Brax.Viewer.Tests.Runs;

/// <summary>A recording's lines, read the strict way: each exactly <c>{"t":N,"frame":FRAME}</c> and a newline.</summary>
internal static class Recording
{
    private static readonly byte[] Head = """{"t":"""u8.ToArray();
    private static readonly byte[] Middle = ""","frame":"""u8.ToArray();

    public static List<(long TimeMs, string Frame)> Parse(byte[] body)
    {
        var lines = new List<(long, string)>();
        var text = body.AsSpan();
        while (!text.IsEmpty)
        {
            var end = text.IndexOf((byte)'\n');
            end.Should().BePositive("every line ends with a newline");
            var line = text[..end];
            line.StartsWith(Head).Should().BeTrue(Encoding.UTF8.GetString(line));
            var middle = line.IndexOf(Middle);
            var time = long.Parse(Encoding.ASCII.GetString(line[Head.Length..middle]), System.Globalization.CultureInfo.InvariantCulture);
            line[^1].Should().Be((byte)'}');
            lines.Add((time, Encoding.UTF8.GetString(line[(middle + Middle.Length)..^1])));
            text = text[(end + 1)..];
        }

        return lines;
    }
}
