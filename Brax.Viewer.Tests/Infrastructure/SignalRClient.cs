using System.Threading.Channels;
using Brax.Viewer.Client;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Brax.Viewer.Tests.Infrastructure;

public enum HubProtocolKind
{
    Json,
    MessagePack,
}

/// <summary>A .NET SignalR client of one hub that records what the server sends it.</summary>
public sealed class SignalRClient : IAsyncDisposable
{
    private readonly Channel<Frame> _frames = Channel.CreateUnbounded<Frame>();
    private readonly Channel<bool> _renderStates = Channel.CreateUnbounded<bool>();
    private readonly Channel<bool> _refreshes = Channel.CreateUnbounded<bool>();
    private readonly Channel<int> _viewerCounts = Channel.CreateUnbounded<int>();

    private SignalRClient(HubConnection connection)
    {
        Connection = connection;
        connection.On<Frame>(FrameHubContract.ReceiveFrame, frame => _frames.Writer.TryWrite(frame));
        connection.On<bool>(ControlHubContract.SetRenderState, enabled => _renderStates.Writer.TryWrite(enabled));
        connection.On(ControlHubContract.RefreshWeb, () => _refreshes.Writer.TryWrite(true));
        connection.On<int>(ControlHubContract.ViewerCount, count => _viewerCounts.Writer.TryWrite(count));
    }

    public HubConnection Connection { get; }

    public static async Task<SignalRClient> ConnectAsync(ViewerTestServer server, string pathAndQuery, HubProtocolKind protocol, bool skipNegotiation = false, string? accessKey = null)
    {
        var builder = new HubConnectionBuilder().WithUrl(server.Http(pathAndQuery), options =>
        {
            if (accessKey is not null)
            {
                options.AccessTokenProvider = () => Task.FromResult<string?>(accessKey);
            }

            if (skipNegotiation)
            {
                options.SkipNegotiation = true;
                options.Transports = Microsoft.AspNetCore.Http.Connections.HttpTransportType.WebSockets;
            }
        });
        if (protocol == HubProtocolKind.MessagePack)
        {
            builder.AddMessagePackProtocol();
        }

        var client = new SignalRClient(builder.Build());
        await client.Connection.StartAsync();
        return client;
    }

    public Task<Frame> NextFrameAsync(TimeSpan? timeout = null) => Next(_frames, timeout);

    public Task<bool> NextRenderStateAsync(TimeSpan? timeout = null) => Next(_renderStates, timeout);

    public Task<bool> NextRefreshAsync(TimeSpan? timeout = null) => Next(_refreshes, timeout);

    public Task<int> NextViewerCountAsync(TimeSpan? timeout = null) => Next(_viewerCounts, timeout);

    public bool TryTakeFrame(out Frame? frame) => _frames.Reader.TryRead(out frame);

    // The two waits below are fixed on purpose: "nothing arrives" has no event to wait for, only a span to watch.
    public async Task ExpectNoFrameAsync(TimeSpan quiet)
    {
        await Task.Delay(quiet);
        _frames.Reader.TryRead(out var frame).Should().BeFalse("no frame was expected, got {0}", frame);
    }

    public async Task ExpectNoRenderStateAsync(TimeSpan quiet)
    {
        await Task.Delay(quiet);
        _renderStates.Reader.TryRead(out var state).Should().BeFalse("no render state was expected, got {0}", state);
    }

    public ValueTask DisposeAsync() => Connection.DisposeAsync();

    private static async Task<T> Next<T>(Channel<T> channel, TimeSpan? timeout)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        return await channel.Reader.ReadAsync(cts.Token);
    }
}
