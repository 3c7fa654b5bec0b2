using System.Diagnostics;
using Brax.Viewer.Client;
using Brax.Viewer.Hubs.Diagnostics;
using Brax.Viewer.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace Brax.Viewer.Tests.Hubs;

/// <summary>
/// Toggles are limited per control connection, raw or SignalR: the excess is dropped and counted,
/// and other connections keep toggling. The bucket holds a second's worth and is refilled once a
/// second, so in <c>t</c> seconds a connection gets at most <c>N × (1 + ⌊t⌋)</c> toggles through.
/// </summary>
public sealed class ControlRateLimitTests : IAsyncLifetime
{
    private const int PerSecond = 3;
    private const int Sent = 30;
    private ViewerTestServer _server = null!;

    private HubDiagnostics Diagnostics => _server.GetRequiredService<HubDiagnostics>();

    public async Task InitializeAsync() =>
        _server = await ViewerTestServer.StartAsync(new Dictionary<string, string?> { ["Viewer:MaxControlMessagesPerSecond"] = PerSecond.ToString(System.Globalization.CultureInfo.InvariantCulture) });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Raw_toggles_over_the_rate_are_dropped_and_counted_and_another_client_still_toggles()
    {
        await using var flooder = await RawClient.ConnectAsync(_server.WebSocket("ws/control?run=rate-raw"));
        await using var other = await RawClient.ConnectAsync(_server.WebSocket("ws/control?run=rate-raw"));
        (await flooder.ReceiveAsync()).Should().Contain("\"enabled\":true");
        (await other.ReceiveAsync()).Should().Contain("\"enabled\":true");
        var refusedBefore = Diagnostics.RefusalCount(RefusalReason.ControlRate);

        // The other client of the run hears one broadcast per toggle that went through.
        var heard = 0;
        using var stop = new CancellationTokenSource();
        var listening = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    await other.ReceiveAsync(TimeSpan.FromMilliseconds(100));
                    Interlocked.Increment(ref heard);
                }
                catch (OperationCanceledException)
                {
                }
            }
        });

        var clock = Stopwatch.StartNew();
        for (var i = 0; i < Sent; i++)
        {
            await flooder.SendAsync("""{"type":"toggle_render","enabled":false}""");
        }

        var elapsed = clock.Elapsed;
        long Dropped() => Diagnostics.RefusalCount(RefusalReason.ControlRate) - refusedBefore;
        await Eventually.HoldsAsync(() => Dropped() + Volatile.Read(ref heard) == Sent, "every toggle was either broadcast or dropped");
        await stop.CancelAsync();
        await listening;
        var passed = Sent - Dropped();

        passed.Should().BeGreaterThanOrEqualTo(PerSecond, "a fresh connection may send a second's worth at once");
        passed.Should().BeLessThanOrEqualTo(PerSecond * (1 + (int)elapsed.TotalSeconds), "{0} toggles in {1} leave at most that many through", Sent, elapsed);
        await other.SendAsync("""{"type":"toggle_render","enabled":true}""");
        (await other.ReceiveAsync()).Should().Be("""{"type":"set_render_state","enabled":true}""", "the limit is per connection: the other client's toggle goes through");
        flooder.Socket.State.Should().Be(System.Net.WebSockets.WebSocketState.Open);
    }

    [Theory]
    [InlineData(HubProtocolKind.Json)]
    [InlineData(HubProtocolKind.MessagePack)]
    public async Task SignalR_toggles_over_the_rate_fail_with_a_HubException_and_the_connection_stays(HubProtocolKind protocol)
    {
        await using var flooder = await SignalRClient.ConnectAsync(_server, $"hubs/control?run=rate-{protocol}", protocol);
        (await flooder.NextRenderStateAsync()).Should().BeTrue();

        var clock = Stopwatch.StartNew();
        var passed = 0;
        var refusals = new List<HubException>();
        for (var i = 0; i < Sent; i++)
        {
            try
            {
                await flooder.Connection.InvokeAsync(ControlHubContract.ToggleRender, i % 2 == 0);
                passed++;
            }
            catch (HubException refused)
            {
                refusals.Add(refused);
            }
        }

        passed.Should().BeGreaterThanOrEqualTo(PerSecond);
        passed.Should().BeLessThanOrEqualTo(PerSecond * (1 + (int)clock.Elapsed.TotalSeconds));
        refusals.Should().NotBeEmpty().And.AllSatisfy(refused => refused.Message.Should().Contain("Viewer:MaxControlMessagesPerSecond"));
        flooder.Connection.State.Should().Be(HubConnectionState.Connected);
    }

    [Fact]
    public async Task Zero_turns_the_limit_off()
    {
        await using var server = await ViewerTestServer.StartAsync(new Dictionary<string, string?> { ["Viewer:MaxControlMessagesPerSecond"] = "0" });
        await using var control = await RawClient.ConnectAsync(server.WebSocket("ws/control"));
        (await control.ReceiveAsync()).Should().Contain("\"enabled\":true");

        for (var i = 0; i < Sent; i++)
        {
            await control.SendAsync("""{"type":"toggle_render","enabled":false}""");
        }

        for (var i = 0; i < Sent; i++)
        {
            (await control.ReceiveAsync()).Should().Contain("\"enabled\":false");
        }

        server.GetRequiredService<HubDiagnostics>().RefusalCount(RefusalReason.ControlRate).Should().Be(0);
    }

    [Fact]
    public async Task A_negative_rate_stops_the_start()
    {
        var start = () => ViewerTestServer.StartAsync(new Dictionary<string, string?> { ["Viewer:MaxControlMessagesPerSecond"] = "-1" });

        (await start.Should().ThrowAsync<Microsoft.Extensions.Options.OptionsValidationException>()).Which.Message.Should().Contain("Viewer:MaxControlMessagesPerSecond");
    }
}
