using Brax.Viewer.Server;
using Microsoft.Extensions.Configuration;

namespace Brax.Viewer.Tests;

public sealed class ListenAddressTests
{
    [Theory]
    [InlineData(null, null, null, "http://127.0.0.1:8000")]
    [InlineData("8080", null, null, "http://+:8080")]
    [InlineData(null, "8181", null, "http://+:8181")]
    [InlineData("8080", null, "http://127.0.0.1:9000", null)]
    public void The_documented_default_applies_unless_a_URL_or_platform_port_is_given(string? port, string? websitesPort, string? urls, string? expected)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["urls"] = urls }).Build();
        var environment = new Dictionary<string, string?> { ["PORT"] = port, ["WEBSITES_PORT"] = websitesPort };

        ListenAddress.Resolve(configuration, name => environment.GetValueOrDefault(name)).Should().Be(expected);
    }

    [Fact]
    public void ASP_NET_Core_port_settings_are_left_to_the_framework()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["http_ports"] = "8080" }).Build();

        ListenAddress.Resolve(configuration, _ => null).Should().BeNull();
    }
}
