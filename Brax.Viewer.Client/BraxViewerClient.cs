using System.Net;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Brax.Viewer.Client;

/// <summary>
/// A typed client of Brax Viewer Hub over SignalR: a frame hub connection in its role (viewer or
/// streamer) and, unless turned off, a control hub connection for the render toggle, scene changes
/// and viewer counts, both in the run of its <see cref="BraxViewerClientOptions"/>.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="StartAsync"/> connects, retrying until its token is cancelled; an access refusal throws
/// <see cref="BraxViewerAccessException"/> at once. A connection that is lost later is re-established
/// with the same role and run, with a doubling, jittered delay, for as long as the client lives; the
/// control hub then greets it with the current render state again.
/// </para>
/// <para>
/// Events are raised on SignalR's receive loop: handlers should return quickly. The
/// <c>Read…Async</c> streams buffer what arrives instead (the oldest items go when a reader falls
/// more than 256 behind).
/// </para>
/// </remarks>
public sealed partial class BraxViewerClient : IAsyncDisposable
{
    private const int StreamCapacity = 256;
    private const int Unknown = -1;

    private readonly HubConnection _frames;
    private readonly HubConnection? _control;
    private readonly ReconnectDelays _delays;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _disposing = new();
    private readonly Lock _subscribersLock = new();
    private readonly List<Channel<Frame>> _frameReaders = [];
    private readonly List<Channel<bool>> _renderReaders = [];
    private int _renderState = Unknown; // Unknown, 0 (off) or 1 (on)
    private int _viewerCount = Unknown;
    private int _started;
    private int _disposed;

    /// <summary>Creates a client; nothing connects before <see cref="StartAsync"/>.</summary>
    /// <param name="options">The server, run, role, protocol and key.</param>
    /// <param name="loggerFactory">Where the client and SignalR log; nowhere when null.</param>
    /// <exception cref="ArgumentException">The options are not usable; the message lists why.</exception>
    public BraxViewerClient(BraxViewerClientOptions options, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", problems), nameof(options));
        }

        Options = options;
        loggerFactory ??= NullLoggerFactory.Instance;
        _log = loggerFactory.CreateLogger<BraxViewerClient>();
        _delays = new ReconnectDelays(options.MinReconnectDelay, options.MaxReconnectDelay);

        var streamer = options.Role == BraxViewerRole.Streamer ? $"&{FrameHubContract.StreamerQuery}=true" : "";
        _frames = Build(HubUrl(FrameHubContract.Path, streamer), loggerFactory);
        if (options.Role == BraxViewerRole.Viewer)
        {
            _frames.On<Frame>(FrameHubContract.ReceiveFrame, OnFrame);
        }

        if (options.ConnectControl)
        {
            _control = Build(HubUrl(ControlHubContract.Path, ""), loggerFactory);
            _control.On<bool>(ControlHubContract.SetRenderState, OnRenderState);
            _control.On<int>(ControlHubContract.ViewerCount, OnViewerCount);
            _control.On(ControlHubContract.RefreshWeb, () => SceneChanged?.Invoke(this, EventArgs.Empty));
        }
    }

    /// <summary>A frame of the run arrived (viewers only).</summary>
    public event EventHandler<Frame>? FrameReceived;

    /// <summary>The run's render toggle changed, or was first heard after connecting.</summary>
    public event EventHandler<bool>? RenderStateChanged;

    /// <summary>The number of viewers of the run changed, when the server sends it.</summary>
    public event EventHandler<int>? ViewerCountChanged;

    /// <summary>The run's scene changed (<c>RefreshWeb</c>): fetch <c>GET /api/system</c> again.</summary>
    public event EventHandler? SceneChanged;

    /// <summary>A lost connection (frame or control) was re-established, in the same role and run.</summary>
    public event EventHandler? Reconnected;

    /// <summary>The settings the client was made with.</summary>
    public BraxViewerClientOptions Options { get; }

    /// <summary>Whether rendering is on for the run, as last pushed by the server; null before the first word.</summary>
    public bool? RenderingEnabled => Volatile.Read(ref _renderState) switch
    {
        Unknown => null,
        var state => state == 1,
    };

    /// <summary>The number of viewers of the run, when the server sends it; null until it does.</summary>
    public int? ViewerCount => Volatile.Read(ref _viewerCount) is var count and >= 0 ? count : null;

    /// <summary>The frame hub connection's state.</summary>
    public HubConnectionState FrameConnectionState => _frames.State;

    /// <summary>The control hub connection's state; <see cref="HubConnectionState.Disconnected"/> without one.</summary>
    public HubConnectionState ControlConnectionState => _control?.State ?? HubConnectionState.Disconnected;

    /// <summary>
    /// Connects to the frame hub and, unless turned off, to the control hub. Failures are retried
    /// with the reconnect delays until <paramref name="cancellationToken"/> is cancelled.
    /// </summary>
    /// <exception cref="BraxViewerAccessException">The server refused the key (401 or 403).</exception>
    /// <exception cref="InvalidOperationException">The client was already started.</exception>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException("The client is already started.");
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposing.Token);
        await ConnectAsync(_frames, FrameHubContract.Path, linked.Token);
        if (_control is not null)
        {
            await ConnectAsync(_control, ControlHubContract.Path, linked.Token);
        }
    }

    /// <summary>
    /// Sends a frame to the run's viewers; completes when the server has handed it to them (without
    /// waiting for any viewer). False, with nothing sent, while the connection is down: frames are
    /// live data, and the next one replaces it.
    /// </summary>
    /// <exception cref="InvalidOperationException">The client is a viewer.</exception>
    /// <exception cref="HubException">The server refused the frame.</exception>
    public async Task<bool> SendFrameAsync(Frame frame, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(frame);
        if (Options.Role != BraxViewerRole.Streamer)
        {
            throw new InvalidOperationException($"Only a streamer sends frames: set {nameof(BraxViewerClientOptions)}.{nameof(BraxViewerClientOptions.Role)} to {nameof(BraxViewerRole.Streamer)}.");
        }

        if (_frames.State != HubConnectionState.Connected)
        {
            return false;
        }

        try
        {
            await _frames.InvokeAsync(FrameHubContract.SendFrame, frame, cancellationToken);
            return true;
        }
        catch (Exception error) when (error is not HubException and not OperationCanceledException && _frames.State != HubConnectionState.Connected)
        {
            return false; // the connection went down during the call
        }
    }

    /// <summary>Turns rendering on or off for every client of the run; every control client, this one included, is told.</summary>
    /// <exception cref="InvalidOperationException">The control hub is not connected.</exception>
    /// <exception cref="BraxViewerAccessException">The key does not allow toggling (the streamer key does).</exception>
    public async Task ToggleRenderAsync(bool enabled, CancellationToken cancellationToken = default)
    {
        if (_control is not { State: HubConnectionState.Connected })
        {
            throw new InvalidOperationException("The control hub is not connected.");
        }

        try
        {
            await _control.InvokeAsync(ControlHubContract.ToggleRender, enabled, cancellationToken);
        }
        catch (HubException error) when (error.Message.Contains("unauthorized", StringComparison.OrdinalIgnoreCase))
        {
            throw new BraxViewerAccessException(HttpStatusCode.Forbidden, Options.ServerUrl + ControlHubContract.Path.TrimStart('/'), error);
        }
    }

    /// <summary>The frames of the run from now on, until <paramref name="cancellationToken"/> is cancelled or the client is disposed.</summary>
    public IAsyncEnumerable<Frame> ReadFramesAsync(CancellationToken cancellationToken = default) =>
        ReadAsync(_frameReaders, cancellationToken);

    /// <summary>Every render state the server pushes from now on (on connect and after every toggle).</summary>
    public IAsyncEnumerable<bool> ReadRenderStatesAsync(CancellationToken cancellationToken = default) =>
        ReadAsync(_renderReaders, cancellationToken);

    /// <summary>Closes both connections and ends every stream.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _disposing.CancelAsync();
        await _frames.DisposeAsync();
        if (_control is not null)
        {
            await _control.DisposeAsync();
        }

        lock (_subscribersLock)
        {
            foreach (var reader in _frameReaders)
            {
                reader.Writer.TryComplete();
            }

            foreach (var reader in _renderReaders)
            {
                reader.Writer.TryComplete();
            }
        }

        _disposing.Dispose();
    }

    private Uri HubUrl(string path, string extraQuery)
    {
        var run = RunContract.TryResolve(Options.Run, out var resolved, out _) ? resolved : RunContract.DefaultRun;
        var baseUrl = Options.ServerUrl.GetLeftPart(UriPartial.Path).TrimEnd('/');
        return new Uri($"{baseUrl}{path}?{RunContract.Query}={Uri.EscapeDataString(run)}{extraQuery}");
    }

    private HubConnection Build(Uri url, ILoggerFactory loggerFactory)
    {
        var builder = new HubConnectionBuilder()
            .WithUrl(url, http =>
            {
                if (!string.IsNullOrEmpty(Options.AccessKey))
                {
                    var key = Options.AccessKey;
                    http.AccessTokenProvider = () => Task.FromResult<string?>(key);
                }
            })
            .WithAutomaticReconnect(_delays);
        builder.Services.AddSingleton(loggerFactory);
        if (Options.Protocol == BraxViewerProtocol.MessagePack)
        {
            builder.AddMessagePackProtocol();
        }

        var connection = builder.Build();
        connection.Reconnecting += error =>
        {
            Log.Reconnecting(_log, url.AbsolutePath, error?.Message);
            return Task.CompletedTask;
        };
        connection.Reconnected += _ =>
        {
            Log.Reconnected(_log, url.AbsolutePath);
            Reconnected?.Invoke(this, EventArgs.Empty);
            return Task.CompletedTask;
        };
        connection.Closed += error =>
        {
            // SignalR stops reconnecting after a refusal or a close that does not allow it; anything
            // but a refusal or our own disposal is retried here, for as long as the client lives.
            if (!_disposing.IsCancellationRequested && Volatile.Read(ref _started) != 0 && !ReconnectDelays.IsAccessRefusal(error))
            {
                _ = ReconnectAfterCloseAsync(connection, url.AbsolutePath);
            }
            else if (ReconnectDelays.IsAccessRefusal(error))
            {
                Log.Refused(_log, url.AbsolutePath, error!.Message);
            }

            return Task.CompletedTask;
        };
        return connection;
    }

    private async Task ReconnectAfterCloseAsync(HubConnection connection, string path)
    {
        try
        {
            await ConnectAsync(connection, path, _disposing.Token);
            Log.Reconnected(_log, path);
            Reconnected?.Invoke(this, EventArgs.Empty);
        }
        catch (OperationCanceledException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
        catch (BraxViewerAccessException error)
        {
            Log.Refused(_log, path, error.Message);
        }
    }

    private async Task ConnectAsync(HubConnection connection, string path, CancellationToken cancellationToken)
    {
        for (var attempt = 0L; ; attempt++)
        {
            try
            {
                await connection.StartAsync(cancellationToken);
                return;
            }
            catch (HttpRequestException error) when (ReconnectDelays.IsAccessRefusal(error))
            {
                throw new BraxViewerAccessException(error.StatusCode!.Value, Options.ServerUrl + path.TrimStart('/'), error);
            }
            catch (Exception error) when (error is not OperationCanceledException and not ObjectDisposedException and not InvalidOperationException && !cancellationToken.IsCancellationRequested)
            {
                Log.ConnectFailed(_log, path, error.Message);
                await Task.Delay(_delays.Delay(attempt), cancellationToken);
            }
        }
    }

    private void OnFrame(Frame frame)
    {
        Publish(_frameReaders, frame);
        FrameReceived?.Invoke(this, frame);
    }

    private void OnRenderState(bool enabled)
    {
        var previous = Interlocked.Exchange(ref _renderState, enabled ? 1 : 0);
        Publish(_renderReaders, enabled);
        if (previous != (enabled ? 1 : 0))
        {
            RenderStateChanged?.Invoke(this, enabled);
        }
    }

    private void OnViewerCount(int count)
    {
        if (count < 0)
        {
            return;
        }

        var previous = Interlocked.Exchange(ref _viewerCount, count);
        if (previous != count)
        {
            ViewerCountChanged?.Invoke(this, count);
        }
    }

    private void Publish<T>(List<Channel<T>> readers, T item)
    {
        lock (_subscribersLock)
        {
            foreach (var reader in readers)
            {
                reader.Writer.TryWrite(item);
            }
        }
    }

    private async IAsyncEnumerable<T> ReadAsync<T>(List<Channel<T>> readers, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var channel = Channel.CreateBounded<T>(new BoundedChannelOptions(StreamCapacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        lock (_subscribersLock)
        {
            if (Volatile.Read(ref _disposed) != 0)
            {
                yield break;
            }

            readers.Add(channel);
        }

        try
        {
            while (await channel.Reader.WaitToReadAsync(cancellationToken))
            {
                while (channel.Reader.TryRead(out var item))
                {
                    yield return item;
                }
            }
        }
        finally
        {
            lock (_subscribersLock)
            {
                readers.Remove(channel);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Could not connect to {Path}: {Reason}; retrying.")]
        public static partial void ConnectFailed(ILogger logger, string path, string reason);

        [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Lost the connection to {Path} ({Reason}); reconnecting in the same role and run.")]
        public static partial void Reconnecting(ILogger logger, string path, string? reason);

        [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Connected to {Path} again.")]
        public static partial void Reconnected(ILogger logger, string path);

        [LoggerMessage(EventId = 4, Level = LogLevel.Error, Message = "The server refused the access key on {Path}: {Reason}")]
        public static partial void Refused(ILogger logger, string path, string reason);
    }
}
