using System.Reflection;
using Brax.Viewer.Server.Configuration;
using Brax.Viewer.Server.Startup;
using Brax.Viewer.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;

namespace Brax.Viewer.Tests.Configuration;

public sealed class ViewerSettingsCheckTests
{
    private readonly ViewerSettingsCheck _check = new(ViewerOptionsTypes.All);

    [Fact]
    public void The_options_types_bind_the_Viewer_section_and_its_Redis_section()
    {
        _check.Sections.Should().BeEquivalentTo("Viewer", "Viewer:Redis");
    }

    [Fact]
    public void Every_options_type_with_a_Viewer_section_is_in_the_list()
    {
        // A new options class bound under Viewer that is missing from the list would make its keys "unknown".
        var bound = new[] { typeof(Brax.Viewer.Hubs.ViewerOptions).Assembly, typeof(ViewerOptionsTypes).Assembly }
            .SelectMany(assembly => assembly.GetTypes())
            .Where(type => type.GetField("SectionName", BindingFlags.Public | BindingFlags.Static) is { IsLiteral: true } field
                && field.GetRawConstantValue() is string section
                && (section == "Viewer" || section.StartsWith("Viewer:", StringComparison.Ordinal)));

        ViewerOptionsTypes.All.Should().BeEquivalentTo(bound);
    }

    [Fact]
    public void The_shipped_appsettings_and_every_documented_key_pass()
    {
        var configuration = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(BraxFixtures.RepositoryRoot, "Brax.Viewer.Server", "appsettings.json"))
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Viewer:MaxSceneBytes"] = "1048576",
                ["Viewer:SystemFile"] = "/data/system.json",
                ["Viewer:Demo"] = "true",
                ["Viewer:Redis:Prefix"] = "team-a",
                ["Viewer:Redis:LatestFrameInterval"] = "00:00:00.100",
                ["Viewer:Redis:MaxPublishBacklogBytes"] = "1024",
                ["Viewer:Redis:CommandTimeout"] = "00:00:01",
                ["ConnectionStrings:Redis"] = "127.0.0.1:6379",
                ["Kestrel:EndpointDefaults:Protocols"] = "Http1",
            })
            .Build();

        _check.FindProblems(configuration).Should().BeEmpty();
    }

    [Fact]
    public void Keys_match_whatever_their_case()
    {
        _check.FindProblems(Settings(("viewer:maxframebytes", "2048"), ("VIEWER:REDIS:PREFIX", "x"))).Should().BeEmpty();
    }

    [Fact]
    public void An_unknown_key_is_named_with_the_known_key_it_extends()
    {
        _check.FindProblems(Settings(("Viewer:SendTimeoutSeconds", "10")))
            .Should().Equal("unknown setting Viewer:SendTimeoutSeconds (did you mean Viewer:SendTimeout?)");
    }

    [Fact]
    public void A_misspelt_key_of_the_Redis_section_is_named_with_the_right_spelling()
    {
        _check.FindProblems(Settings(("Viewer:Redis:Prefx", "x")))
            .Should().Equal("unknown setting Viewer:Redis:Prefx (did you mean Viewer:Redis:Prefix?)");
    }

    [Fact]
    public void A_misspelt_section_names_each_key_under_it_and_the_section_it_resembles()
    {
        _check.FindProblems(Settings(("Viewer:Rediss:Prefix", "x"), ("Viewer:Rediss:CommandTimeout", "00:00:01")))
            .Should().Equal(
                "unknown setting Viewer:Rediss:CommandTimeout (did you mean Viewer:Redis?)",
                "unknown setting Viewer:Rediss:Prefix (did you mean Viewer:Redis?)");
    }

    [Fact]
    public void An_unknown_key_like_no_known_one_is_named_alone()
    {
        _check.FindProblems(Settings(("Viewer:Colour", "blue"))).Should().Equal("unknown setting Viewer:Colour");
    }

    [Fact]
    public void Settings_outside_the_Viewer_section_are_not_checked()
    {
        _check.FindProblems(Settings(("Logging:LogLevel:Default", "Debug"), ("Viewing:Anything", "x"), ("urls", "http://127.0.0.1:0")))
            .Should().BeEmpty();
    }

    [Theory]
    [InlineData("Viewer:MaxFrameBytes", "16MB", "Viewer:MaxFrameBytes: \"16MB\" is not a whole number")]
    [InlineData("Viewer:MaxFrameBytes", "", "Viewer:MaxFrameBytes: \"\" is not a whole number")]
    [InlineData("Viewer:KeepAliveInterval", "15s", "Viewer:KeepAliveInterval: \"15s\" is not a time span (hh:mm:ss, e.g. 00:00:15)")]
    [InlineData("Viewer:Demo", "yes", "Viewer:Demo: \"yes\" is not true or false")]
    [InlineData("Viewer:Redis:CommandTimeout", "2", "")]
    public void A_value_is_checked_as_binding_would_convert_it(string key, string value, string problem)
    {
        // "2" is two days to TimeSpan's converter: valid, if unwise, so not refused here.
        var problems = _check.FindProblems(Settings((key, value)));

        problems.Should().Equal(problem.Length == 0 ? [] : [problem]);
    }

    [Fact]
    public void An_options_type_added_to_the_list_makes_its_keys_known()
    {
        var settings = Settings(("Viewer:MaxLanes", "4"));
        _check.FindProblems(settings).Should().ContainSingle();

        new ViewerSettingsCheck([.. ViewerOptionsTypes.All, typeof(LaneOptions)]).FindProblems(settings).Should().BeEmpty();
    }

    [Fact]
    public void An_options_type_without_a_section_name_is_a_bug_reported_at_once()
    {
        var build = () => new ViewerSettingsCheck([typeof(Uri)]);

        build.Should().Throw<InvalidOperationException>().WithMessage("*System.Uri has no public const string SectionName*")
            .Which.Should().NotBeOfType<StartupException>("a programming mistake is not a start-up mistake");
    }

    [Theory]
    [InlineData("SendTimeoutSeconds", "SendTimeout")]
    [InlineData("MaxFramBytes", "MaxFrameBytes")]
    [InlineData("maxframebytes", "MaxFrameBytes")]
    [InlineData("MaxFrame", "MaxFrameBytes")]
    [InlineData("Colour", null)]
    public void Closest_known_key(string key, string? expected)
    {
        ViewerSettingsCheck.Closest(key, ["MaxFrameBytes", "MaxControlMessageBytes", "KeepAliveInterval", "KeepAliveTimeout", "SendTimeout"])
            .Should().Be(expected);
    }

    private static IConfiguration Settings(params (string Key, string Value)[] settings) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(setting => new KeyValuePair<string, string?>(setting.Key, setting.Value)))
            .Build();

    /// <summary>Stands in for an options class that a later change binds to the Viewer section.</summary>
    private sealed class LaneOptions
    {
        public const string SectionName = "Viewer";

        public int MaxLanes { get; set; }
    }
}
