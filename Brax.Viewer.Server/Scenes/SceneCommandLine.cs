using Brax.Viewer.Server.Startup;

namespace Brax.Viewer.Server.Scenes;

/// <summary>
/// Turns the scene switches into configuration keys: <c>--demo</c> becomes <c>--Viewer:Demo=true</c>
/// and <c>--system FILE</c> becomes <c>--Viewer:SystemFile=FILE</c>. A bare <c>--demo</c> would
/// otherwise swallow the next argument as its value.
/// </summary>
internal static class SceneCommandLine
{
    /// <summary>The arguments with the scene switches replaced by their configuration keys.</summary>
    /// <exception cref="StartupException"><c>--system</c> is the last argument, with no FILE after it.</exception>
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
                case "--system":
                    // Left as it is, the configuration would drop a switch without a value in silence.
                    throw new StartupException("--system needs a FILE (--system path/to/system.json)");
                default:
                    result.Add(args[i]);
                    break;
            }
        }

        return [.. result];
    }
}
