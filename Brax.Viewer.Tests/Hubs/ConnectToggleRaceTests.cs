using System.Net.Http.Json;
using Brax.Viewer.Hubs.State;
using Brax.Viewer.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Brax.Viewer.Tests.Hubs;

public sealed class ConnectToggleRaceTests : IAsyncLifetime
{
    private const string Off = """{"type":"set_render_state","enabled":false}""";
    private readonly HttpClient _http = new();
    private readonly PausingStore _store = new();
    private ViewerTestServer _server = null!;

    public async Task InitializeAsync() =>
        _server = await ViewerTestServer.StartAsync(configure: builder => builder.Services.AddSingleton<IRenderStateStore>(_store));

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task A_client_that_connects_while_the_state_changes_ends_with_the_new_state()
    {
        // The newcomer has joined the control group and read "on"; before it is told, a toggle stores
        // "off" and tells the group, the newcomer included. Its greeting must not leave it at "on".
        var paused = _store.PauseNextRead();
        await using var newcomer = await RawClient.ConnectAsync(_server.WebSocket("ws/control"));
        await paused.Reached;

        (await _http.PostAsJsonAsync(_server.Http("api/rendering_status"), new { rendering_enabled = false })).EnsureSuccessStatusCode();
        (await newcomer.ReceiveAsync()).Should().Be(Off, "the toggle reaches every member of the group");
        paused.Resume();

        var told = new List<string>();
        try
        {
            while (true)
            {
                told.Add(await newcomer.ReceiveAsync(TimeSpan.FromSeconds(1)));
            }
        }
        catch (OperationCanceledException)
        {
            // Nothing more within a second.
        }

        told.Should().NotBeEmpty("the newcomer is greeted with the state").And.EndWith(Off, "the last word it hears is the stored state");
    }

    /// <summary>The in-memory store, with a way to hold one read after it has read its value.</summary>
    private sealed class PausingStore : IRenderStateStore
    {
        private readonly InMemoryRenderStateStore _inner = new();
        private Pause? _next;

        public event Func<string, Task>? ChangedElsewhere
        {
            add => _inner.ChangedElsewhere += value;
            remove => _inner.ChangedElsewhere -= value;
        }

        public Pause PauseNextRead() => _next = new Pause();

        public async ValueTask<bool> GetAsync(string run, CancellationToken cancellationToken = default)
        {
            var value = await _inner.GetAsync(run, cancellationToken);
            if (Interlocked.Exchange(ref _next, null) is { } pause)
            {
                await pause.HoldAsync();
            }

            return value;
        }

        public ValueTask SetAsync(string run, bool enabled, CancellationToken cancellationToken = default) => _inner.SetAsync(run, enabled, cancellationToken);
    }

    private sealed class Pause
    {
        private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _resumed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Reached => _reached.Task;

        public void Resume() => _resumed.SetResult();

        public Task HoldAsync()
        {
            _reached.SetResult();
            return _resumed.Task;
        }
    }
}
