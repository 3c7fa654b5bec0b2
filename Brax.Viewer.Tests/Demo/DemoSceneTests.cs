using Brax.Viewer.Server.Demo;
using Brax.Viewer.Server.Scenes;

namespace Brax.Viewer.Tests.Demo;

public sealed class DemoSceneTests
{
    [Fact]
    public void Demo_scene_is_valid()
    {
        var result = SceneValidator.Validate(DemoScene.SystemJson());

        result.Error.Should().BeNull();
        result.Info!.Links.Should().Be(DemoScene.Links);
    }
}
