using Brax.Viewer.Client;
using Brax.Viewer.LoadGen.Frames;
using Brax.Viewer.LoadGen.Metrics;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Brax.Viewer.LoadGen.Clients;

/// <summary>
/// A viewer on <c>/hubs/frame</c> over WebSockets without negotiation, with the JSON or the
/// MessagePack hub protocol. It binds <c>ReceiveFrame</c> to <see cref="StampedFrame"/>, which reads
/// only the stamp out of the protocol's reader.
/// </summary>
internal sealed class SignalRViewer : IViewer
{
    private readonly HubConnection _connection;
    private volatile bool _stalled;

    private SignalRViewer(HubConnection connection, ViewerKind kind, ViewerStats stats)
    {
        _connection = connection;
        Kind = kind;
        Stats = stats;
    }

    public ViewerKind Kind { get; }

    public ViewerStats Stats { get; }

    public bool IsOpen => _connection.State == HubConnectionState.Connected;

    public static async Task<SignalRViewer> ConnectAsync(Connector connector, Uri server, ViewerKind kind, ViewerStats stats, CancellationToken cancellationToken)
    {
        var builder = new HubConnectionBuilder().WithUrl(new Uri(server, FrameHubContract.Path.TrimStart('/')), options =>
        {
            options.SkipNegotiation = true;
            options.Transports = HttpTransportType.WebSockets;
            options.WebSocketFactory = async (context, token) => await connector.ConnectAsync(context.Uri, token);
        });
        if (kind == ViewerKind.SignalRMessagePack)
        {
            builder.AddMessagePackProtocol();
        }
        else
        {
            builder.AddJsonProtocol();
        }

        var connection = builder.Build();
        var viewer = new SignalRViewer(connection, kind, stats);
        connection.On<StampedFrame>(FrameHubContract.ReceiveFrame, viewer.OnFrame);
        try
        {
            await connection.StartAsync(cancellationToken);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }

        return viewer;
    }

    /// <summary>
    /// A hub connection has no way to stop reading; a stalled SignalR viewer blocks its receive
    /// loop instead, which stops it reading from the socket just the same.
    /// </summary>
    public void Stall()
    {
        Stats.Stop();
        _stalled = true;
    }

    public async ValueTask DisposeAsync()
    {
        _stalled = false;
        await _connection.DisposeAsync();
    }

    private void OnFrame(StampedFrame frame)
    {
        while (_stalled)
        {
            Thread.Sleep(100);
        }

        Stats.Record(frame.Stamp);
    }
}
