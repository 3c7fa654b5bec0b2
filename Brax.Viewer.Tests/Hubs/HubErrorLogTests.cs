using Brax.Viewer.Client;
using Brax.Viewer.Hubs.State;
using Brax.Viewer.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Brax.Viewer.Tests.Hubs;

/// <summary>
/// What a hub method throws is logged once: a client's mistake in one throttled line per connection,
/// a server error with its exception. Real SignalR clients, a real server, the server's own default
/// logging configuration (appsettings.json) and a clock that stands still, so one window spans the test.
/// </summary>
public sealed class HubErrorLogTests : IAsyncLifetime
{
    private const int Calls = 1000;
    private readonly FakeLogCollector _logs = new();
    private ViewerTestServer _server = null!;

    public async Task InitializeAsync() =>
        _server = await ViewerTestServer.StartAsync(configure: builder =>
        {
            builder.Services.AddSingleton<TimeProvider>(new FakeTimeProvider());
            builder.Services.AddSingleton<IRenderStateStore, BrokenRenderStateStore>();
            builder.Logging.AddProvider(new FakeLoggerProvider(_logs));
        });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task A_thousand_SendFrame_calls_from_a_viewer_log_a_handful_of_lines_without_stacks_and_each_call_gets_its_HubException()
    {
        _server.GetRequiredService<IConfiguration>()["Logging:LogLevel:Microsoft.AspNetCore"].Should().Be("Warning", "the server's appsettings.json is in force");
        await using var viewer = await SignalRClient.ConnectAsync(_server, "hubs/frame", HubProtocolKind.Json);
        await _server.ViewersJoinedAsync(1);
        _logs.Clear();

        var frame = Frame.FromPose([[0, 0, 0.5]], [[1, 0, 0, 0]]);
        for (var i = 0; i < Calls; i++)
        {
            var call = () => viewer.Connection.InvokeAsync(FrameHubContract.SendFrame, frame);
            await call.Should().ThrowAsync<HubException>().WithMessage("*Only streamers send frames*");
        }

        var records = _logs.GetSnapshot();
        records.Should().HaveCount(5, "five reports per window for the connection, and nothing else logs these calls")
            .And.OnlyContain(r => r.Exception == null && r.Level == LogLevel.Warning && r.Message.Contains("SendFrame", StringComparison.Ordinal) && !r.Message.Contains('\n', StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_thousand_null_frames_from_a_streamer_log_a_handful_of_lines_and_each_call_hears_what_was_wrong()
    {
        await using var streamer = await SignalRClient.ConnectAsync(_server, "hubs/frame?is_streamer=true", HubProtocolKind.MessagePack);
        await _server.StreamersConnectedAsync(1);
        _logs.Clear();

        for (var i = 0; i < Calls; i++)
        {
            var call = () => streamer.Connection.InvokeAsync(FrameHubContract.SendFrame, (Frame?)null);
            await call.Should().ThrowAsync<HubException>().WithMessage("*SendFrame*null*");
        }

        _logs.GetSnapshot().Should().HaveCount(5).And.OnlyContain(r => r.Exception == null && r.Level == LogLevel.Warning);
    }

    [Fact]
    public async Task Each_connection_has_its_own_five_reports()
    {
        await using var first = await SignalRClient.ConnectAsync(_server, "hubs/frame", HubProtocolKind.Json);
        await using var second = await SignalRClient.ConnectAsync(_server, "hubs/frame", HubProtocolKind.Json);
        await _server.ViewersJoinedAsync(2);
        _logs.Clear();

        var frame = Frame.FromPose([[0, 0, 0.5]], [[1, 0, 0, 0]]);
        foreach (var client in new[] { first, second, first, second, first, second, first, second, first, second, first, second, first, second })
        {
            await client.Invoking(c => c.Connection.InvokeAsync(FrameHubContract.SendFrame, frame)).Should().ThrowAsync<HubException>();
        }

        _logs.GetSnapshot().Should().HaveCount(10);
    }

    [Fact]
    public async Task A_server_error_in_a_hub_method_is_still_logged_with_its_exception()
    {
        await using var control = await SignalRClient.ConnectAsync(_server, "hubs/control", HubProtocolKind.Json);
        await control.NextRenderStateAsync();
        _logs.Clear();

        var call = () => control.Connection.InvokeAsync(ControlHubContract.ToggleRender, false);
        (await call.Should().ThrowAsync<HubException>()).Which.Message.Should().NotContain(BrokenRenderStateStore.Secret, "a server error's text stays in the server's log");

        var errors = _logs.GetSnapshot().Where(r => r.Level >= LogLevel.Error).ToList();
        errors.Should().ContainSingle("the error is logged once, not hidden and not twice")
            .Which.Exception.Should().BeOfType<InvalidOperationException>().Which.Message.Should().Contain(BrokenRenderStateStore.Secret);
    }

    /// <summary>A render-state store whose writes fail: a real server error behind a hub method.</summary>
    private sealed class BrokenRenderStateStore : IRenderStateStore
    {
        public const string Secret = "the store is down (internal detail)";

        public event Func<string, Task>? ChangedElsewhere
        {
            add { }
            remove { }
        }

        public ValueTask<bool> GetAsync(string run, CancellationToken cancellationToken = default) => ValueTask.FromResult(true);

        public ValueTask SetAsync(string run, bool enabled, CancellationToken cancellationToken = default) =>
            ValueTask.FromException(new InvalidOperationException(Secret));
    }
}
