namespace Brax.Viewer.Server.Scenes;

/// <summary>
/// Turns the scene switches into configuration keys: <c>--demo</c> becomes <c>--Viewer:Demo=true</c>
/// and <c>--system FILE</c> becomes <c>--Viewer:SystemFile=FILE</c>. A bare <c>--demo</c> would
/// otherwise swallow the next argument as its value.
/// </summary>
internal static class SceneCommandLine
{
    public static string[] Normalize(string[] args)
    {
        var result = new List<string>(args.Length);
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--demo":
                    result.Add($"--{SceneOptions.SectionName}:{nameof(SceneOptions.Demo)}=true");
                    break;
                case "--system" when i + 1 < args.Length:
                    result.Add($"--{SceneOptions.SectionName}:{nameof(SceneOptions.SystemFile)}={Path.GetFullPath(args[++i])}");
                    break;
                default:
                    result.Add(args[i]);
                    break;
            }
        }

        return [.. result];
    }
}
