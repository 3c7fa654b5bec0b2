namespace Brax.Viewer.Tests.Page.Browser;

/// <summary>The tests that share one <see cref="ChromiumFixture"/>: its browser and its server.</summary>
[CollectionDefinition(Name)]
public sealed class ChromiumGroup : ICollectionFixture<ChromiumFixture>
{
    public const string Name = "Chromium";
}
