using System.Text.Json.Nodes;
using Brax.Viewer.Tests.Infrastructure;

namespace Brax.Viewer.Tests.Deploy;

/// <summary>
/// deploy/azure/main.bicep compiles and lints cleanly with the bicep CLI, takes the access keys as
/// secure parameters that become the app's settings, and the example parameters file holds no key.
/// Nothing is deployed; nothing leaves the machine.
/// </summary>
public sealed class BicepTemplateTests : IDisposable
{
    private static readonly string Template = Path.Combine(BraxFixtures.RepositoryRoot, "deploy", "azure", "main.bicep");
    private static readonly string ParametersFile = Path.Combine(BraxFixtures.RepositoryRoot, "deploy", "azure", "main.parameters.json");
    private readonly string _output = Directory.CreateTempSubdirectory("brax-bicep-").FullName;

    public void Dispose() => Directory.Delete(_output, recursive: true);

    [Fact]
    public async Task Template_builds_with_no_warning()
    {
        var (exitCode, output) = await BicepCli.RunAsync("build", Template, "--outfile", Path.Combine(_output, "main.json"));

        exitCode.Should().Be(0, output);
        output.Should().BeEmpty("bicep reports every warning and error on its output");
        File.Exists(Path.Combine(_output, "main.json")).Should().BeTrue();
    }

    [Fact]
    public async Task Template_lints_with_no_warning()
    {
        var (exitCode, output) = await BicepCli.RunAsync("lint", Template);

        exitCode.Should().Be(0, output);
        output.Should().BeEmpty("the linter reports every finding on its output");
    }

    [Theory]
    [InlineData("streamerKey", "Viewer__StreamerKey")]
    [InlineData("viewerKey", "Viewer__ViewerKey")]
    public async Task An_access_key_is_a_required_secure_parameter_that_becomes_its_app_setting(string parameter, string setting)
    {
        var template = await CompiledTemplateAsync();

        var declared = template["parameters"]![parameter]!;
        declared["type"]!.GetValue<string>().Should().Be("securestring");
        declared["minLength"]!.GetValue<int>().Should().Be(16, "the server refuses shorter keys at start-up");
        declared.AsObject().ContainsKey("defaultValue").Should().BeFalse("a deployment without keys would leave the app open to anyone");
        // The settings list is one ARM expression (the Redis setting is appended conditionally).
        var appSettings = template["resources"]!.AsObject()
            .Select(resource => resource.Value!)
            .Single(resource => resource["type"]!.GetValue<string>() == "Microsoft.Web/sites")["properties"]!["siteConfig"]!["appSettings"]!.GetValue<string>();
        appSettings.Should().Contain($"createObject('name', '{setting}', 'value', parameters('{parameter}'))");
        template["outputs"]!.ToJsonString().Should().NotContain(parameter, "a secret in an output is readable by anyone who can read the deployment");
    }

    [Fact]
    public async Task Parameters_file_names_only_template_parameters_and_holds_no_secret()
    {
        var template = await CompiledTemplateAsync();
        var parameters = JsonNode.Parse(await File.ReadAllTextAsync(ParametersFile))!["parameters"]!.AsObject();

        parameters.Select(p => p.Key).Should().BeSubsetOf(template["parameters"]!.AsObject().Select(p => p.Key), "a parameter the template does not declare fails the deployment");
        parameters.Select(p => p.Key)
            .Where(name => template["parameters"]![name]!["type"]!.GetValue<string>() is "securestring" or "secureObject")
            .Should().BeEmpty("a committed file is no place for a key: pass keys at deployment time");
    }

    // bicep 0.49 compiles to the symbolic-name form: resources is an object keyed by symbol.
    private async Task<JsonNode> CompiledTemplateAsync()
    {
        var compiled = Path.Combine(_output, "main.json");
        var (exitCode, output) = await BicepCli.RunAsync("build", Template, "--outfile", compiled);
        exitCode.Should().Be(0, output);
        return JsonNode.Parse(await File.ReadAllTextAsync(compiled))!;
    }
}
