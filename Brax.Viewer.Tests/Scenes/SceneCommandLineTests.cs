using Brax.Viewer.Server.Scenes;
using Brax.Viewer.Server.Startup;

namespace Brax.Viewer.Tests.Scenes;

public sealed class SceneCommandLineTests
{
    [Fact]
    public void Demo_switch_becomes_a_configuration_key_without_eating_the_next_argument()
    {
        var args = SceneCommandLine.Normalize(["--demo", "--urls", "http://127.0.0.1:9000"]);

        args.Should().Equal("--Viewer:Demo=true", "--urls", "http://127.0.0.1:9000");
    }

    [Fact]
    public void System_file_becomes_an_absolute_path()
    {
        var args = SceneCommandLine.Normalize(["--system", "scene.json"]);

        args.Should().Equal($"--Viewer:SystemFile={Path.GetFullPath("scene.json")}");
    }

    [Fact]
    public void Other_arguments_pass_through()
    {
        SceneCommandLine.Normalize(["--urls=http://127.0.0.1:1", "--Viewer:MaxSceneBytes=10"])
            .Should().Equal("--urls=http://127.0.0.1:1", "--Viewer:MaxSceneBytes=10");
    }

    [Fact]
    public void System_switch_without_a_file_is_a_start_up_mistake()
    {
        var normalize = () => SceneCommandLine.Normalize(["--urls", "http://127.0.0.1:1", "--system"]);

        normalize.Should().Throw<StartupException>().WithMessage("--system needs a FILE*");
    }
}
