using Microsoft.Extensions.Options;

namespace Brax.Viewer.Server.Scenes;

/// <summary>Checks <see cref="SceneOptions"/> at start-up.</summary>
internal sealed class SceneOptionsValidator : IValidateOptions<SceneOptions>
{
    public ValidateOptionsResult Validate(string? name, SceneOptions options)
    {
        var failures = options.Validate().ToList();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
