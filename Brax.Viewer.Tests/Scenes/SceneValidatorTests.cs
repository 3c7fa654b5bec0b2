using System.Text;
using Brax.Viewer.Server.Scenes;
using Brax.Viewer.Tests.Infrastructure;

namespace Brax.Viewer.Tests.Scenes;

public sealed class SceneValidatorTests
{
    public static TheoryData<string, int> FixtureScenes => new()
    {
        { "cartpole", 2 },
        { "ant", 9 },
        { "arm", 4 },
        { "cartpole_batched4", 8 },
    };

    [Theory]
    [MemberData(nameof(FixtureScenes))]
    public void Every_fixture_scene_is_accepted_with_its_link_count(string scene, int links)
    {
        var result = SceneValidator.Validate(BraxFixtures.System(scene));

        result.Error.Should().BeNull();
        result.Info!.Links.Should().Be(links);
        result.Info.NumEnvs.Should().BeNull("no env count was given");
        result.Info.Bytes.Should().Be(BraxFixtures.System(scene).Length);
    }

    [Fact]
    public void Ant_is_one_environment_despite_bodies_named_like_copies()
    {
        var result = SceneValidator.Validate(BraxFixtures.System("ant"));

        result.Info!.NumEnvs.Should().BeNull("batching is never guessed from names such as aux_1");
        result.Info.LinksPerEnv.Should().BeNull();
    }

    [Fact]
    public void Explicit_env_count_gives_links_per_env()
    {
        var result = SceneValidator.Validate(BraxFixtures.System("cartpole_batched4"), numEnvs: 4);

        result.Info!.NumEnvs.Should().Be(4);
        result.Info.LinksPerEnv.Should().Be(2);
    }

    [Fact]
    public void Env_count_that_does_not_divide_the_links_is_refused()
    {
        var result = SceneValidator.Validate(BraxFixtures.System("cartpole_batched4"), numEnvs: 3);

        result.Error.Should().Contain("num_envs=3").And.Contain("8 links");
    }

    [Fact]
    public void Legacy_v1_file_is_refused_with_its_message()
    {
        var result = SceneValidator.Validate(File.ReadAllBytes(BraxFixtures.LegacyFile));

        result.IsValid.Should().BeFalse();
        result.Error.Should().Be("brax v1 (config/pos/rot) scene format is not supported");
    }

    [Fact]
    public void Tag_changes_with_the_bytes_and_the_env_count()
    {
        var a = SceneValidator.Validate(BraxFixtures.System("cartpole")).Info!.Tag;
        var b = SceneValidator.Validate(BraxFixtures.System("arm")).Info!.Tag;
        var c = SceneValidator.Validate(BraxFixtures.System("cartpole_batched4"), 4).Info!.Tag;
        var d = SceneValidator.Validate(BraxFixtures.System("cartpole_batched4")).Info!.Tag;

        new[] { a, b, c, d }.Should().OnlyHaveUniqueItems();
        SceneValidator.Validate(BraxFixtures.System("cartpole")).Info!.Tag.Should().Be(a);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("{not json", "not valid JSON")]
    [InlineData("[1,2]", "must be a JSON object")]
    [InlineData("""{"link_names": [], "states": {"x": []}}""", "missing 'geoms'")]
    [InlineData("""{"geoms": []}""", "'geoms' must be an object")]
    [InlineData("""{"geoms": {"a": {}}}""", "geoms['a'] must be a list")]
    [InlineData("""{"geoms": {"a": [{"name": "Ellipsoid", "link_idx": 0, "pos": [0,0,0], "rot": [1,0,0,0], "size": [1,1,1]}]}}""", "unknown geom type 'Ellipsoid' in geoms['a'][0]")]
    [InlineData("""{"geoms": {"a": [{"link_idx": 0}]}}""", "has no geom type")]
    [InlineData("""{"geoms": {"a": [{"name": "Box", "pos": [0,0,0], "rot": [1,0,0,0], "size": [1,1,1]}]}}""", "needs an integer 'link_idx'")]
    [InlineData("""{"geoms": {"a": [{"name": "Box", "link_idx": 0, "pos": [0,0], "rot": [1,0,0,0], "size": [1,1,1]}]}}""", "needs 'pos'")]
    [InlineData("""{"geoms": {"a": [{"name": "Box", "link_idx": 0, "transform": {}, "halfsize": [1,1,1]}]}}""", "brax 0.9")]
    [InlineData("""{"geoms": {"a": [{"name": "Mesh", "link_idx": 0, "pos": [0,0,0], "rot": [1,0,0,0], "size": [1,1,1], "vert": [[0,0,0]], "face": [[0,0,1]]}]}}""", "outside its 1 vertices")]
    [InlineData("""{"link_names": ["a"], "geoms": {"a": [{"name": "Box", "link_idx": 3, "pos": [0,0,0], "rot": [1,0,0,0], "size": [1,1,1]}]}}""", "link_idx 3 but the scene has only 1 links")]
    [InlineData("""{"link_names": ["a", "b"], "geoms": {}, "states": {"x": [{"pos": [[0,0,0]], "rot": [[1,0,0,0]]}]}}""", "lists 2 links but states.x holds poses for 1")]
    [InlineData("""{"config": {"bodies": []}, "pos": [], "rot": []}""", "brax v1 (config/pos/rot) scene format is not supported")]
    public void Invalid_input_is_refused_naming_the_problem(string json, string expected)
    {
        var result = SceneValidator.Validate(Encoding.UTF8.GetBytes(json));

        result.IsValid.Should().BeFalse();
        result.Error.Should().Contain(expected);
    }

    [Theory]
    [InlineData("""{"geoms": {"a": [{"name": "Box", "link_idx": 0, "pos": [1e999,0,0], "rot": [1,0,0,0], "size": [1,1,1]}]}}""", "1e999")]
    [InlineData("""{"geoms": {}, "states": {"x": [{"pos": [[0,0,-1E400]], "rot": [[1,0,0,0]]}]}}""", "-1E400")]
    [InlineData("""{"geoms": {}, "dt": 1e309}""", "1e309")]
    public void Numbers_that_do_not_fit_a_float64_are_refused_wherever_they_are(string json, string number)
    {
        var result = SceneValidator.Validate(Encoding.UTF8.GetBytes(json));

        result.IsValid.Should().BeFalse();
        result.Error.Should().Contain(number).And.Contain("does not fit a float64");
    }

    [Fact]
    public void The_largest_float64_values_pass()
    {
        const string json = """{"geoms": {"a": [{"name": "Box", "link_idx": 0, "pos": [1.7976931348623157e308,-1e-320,0], "rot": [1,0,0,0], "size": [1,1,1]}]}, "dt": 1e-999}""";

        SceneValidator.Validate(Encoding.UTF8.GetBytes(json)).Error.Should().BeNull();
    }

    [Theory]
    [InlineData("""{"geoms": {"a": [{"name": "Box", "link_idx": "0", "pos": [0,0,0], "rot": [1,0,0,0], "size": [1,1,1]}]}}""", "needs an integer 'link_idx'")]
    [InlineData("""{"geoms": {"a": [{"name": "Mesh", "link_idx": 0, "pos": [0,0,0], "rot": [1,0,0,0], "vert": [[0,0,0]], "face": [[0,"0",0]]}]}}""", "outside its 1 vertices")]
    [InlineData("""{"geoms": {}, "states": {"x": {"pos": [[[0,0,0]]], "rot": [5]}}}""", "states.x.rot must be a list of steps")]
    public void Input_that_used_to_fail_the_request_is_refused_naming_the_problem(string json, string expected)
    {
        var result = SceneValidator.Validate(Encoding.UTF8.GetBytes(json));

        result.IsValid.Should().BeFalse();
        result.Error.Should().Contain(expected);
    }

    [Theory]
    [InlineData("""[[0,1,2]]""", "outside its 2 vertices")]
    [InlineData("""[[0,1]]""", "must hold triangles")]
    [InlineData("""[[0,1],[0,1,5]]""", "must hold triangles")]
    [InlineData("""[[0,1,5],[0,1]]""", "outside its 2 vertices")]
    public void A_mesh_is_checked_the_same_with_its_faces_before_its_vertices(string faces, string expected)
    {
        foreach (var json in new[]
        {
            $$$"""{"geoms": {"a": [{"name": "Mesh", "link_idx": 0, "pos": [0,0,0], "rot": [1,0,0,0], "face": {{{faces}}}, "vert": [[0,0,0],[1,0,0]]}]}}""",
            $$$"""{"geoms": {"a": [{"name": "Mesh", "link_idx": 0, "pos": [0,0,0], "rot": [1,0,0,0], "vert": [[0,0,0],[1,0,0]], "face": {{{faces}}}}]}}""",
        })
        {
            SceneValidator.Validate(Encoding.UTF8.GetBytes(json)).Error.Should().Contain(expected, "the first problem in the face list is named, wherever 'vert' is");
        }
    }

    [Fact]
    public void Stacked_states_of_brax_0_10_are_accepted()
    {
        const string json = """
            {"dt": 0.01, "link_names": ["a", "b"], "geoms": {"a": [{"name": "Sphere", "link_idx": 0, "pos": [0,0,0], "rot": [1,0,0,0], "size": [0.1,0,0]}]},
             "states": {"x": {"pos": [[[0,0,0],[1,0,0]]], "rot": [[[1,0,0,0],[1,0,0,0]]]}}}
            """;

        SceneValidator.Validate(Encoding.UTF8.GetBytes(json)).Info!.Links.Should().Be(2);
    }

    [Fact]
    public void HeightMap_geoms_are_accepted()
    {
        const string json = """{"geoms": {"world": [{"name": "HeightMap", "link_idx": -1, "pos": [0,0,0], "rot": [1,0,0,0], "size": [0,0,0]}]}}""";

        SceneValidator.Validate(Encoding.UTF8.GetBytes(json)).IsValid.Should().BeTrue();
    }
}
