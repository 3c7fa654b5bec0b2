using System.Net;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Brax.Viewer.Hubs.ScaleOut;

/// <summary>
/// The one Redis connection of this server, shared by the SignalR backplane, the frame backplane and
/// the shared stores. It is opened in the background at start-up and never aborts: the server starts
/// and serves its own clients while Redis is down, and StackExchange.Redis reconnects (and
/// resubscribes) by itself when Redis returns.
/// </summary>
internal sealed partial class RedisConnection : IHostedService, IDisposable
{
    private readonly ConfigurationOptions _configuration;
    private readonly ILogger<RedisConnection> _logger;
    private readonly Lazy<Task<IConnectionMultiplexer>> _connect;
    private volatile ConnectionMultiplexer? _multiplexer;
    private Timer? _reconcile;

    public RedisConnection(string connectionString, IOptions<RedisScaleOutOptions> options, ILogger<RedisConnection> logger)
    {
        _logger = logger;
        Options = options.Value;
        try
        {
            _configuration = ConfigurationOptions.Parse(connectionString);
        }
        catch (ArgumentException ex)
        {
            // The connection string itself may hold a password: name the setting, not its value.
            throw new InvalidOperationException($"ConnectionStrings:{RedisScaleOutOptions.ConnectionStringName} is not a valid StackExchange.Redis connection string: {ex.Message}", ex);
        }

        // The app must start, and keep serving local clients, while Redis is down.
        _configuration.AbortOnConnectFail = false;

        // A command issued while disconnected fails at once instead of waiting in a backlog: callers
        // fall back to local state, and frames are never held back to be delivered stale.
        _configuration.BacklogPolicy = BacklogPolicy.FailFast;
        _configuration.ReconnectRetryPolicy = new ExponentialRetry(500, 5000);
        _configuration.ChannelPrefix = RedisChannel.Literal(Options.Prefix + ":");
        _configuration.ClientName ??= "brax-viewer";
        _connect = new(ConnectCoreAsync);
    }

    /// <summary>
    /// Raised when a lost link to Redis is back, and every <see cref="ReconcileInterval"/> while Redis
    /// is reachable: state kept locally during an outage is written through then. The periodic call
    /// also covers a Redis that was down at start-up and a write-through that failed half-way.
    /// Handlers must be cheap when there is nothing to do.
    /// </summary>
    public event Action? Reconcile;

    /// <summary>Raised when a lost link to Redis is back: what others wrote meanwhile can be read now.</summary>
    public event Action? Restored;

    private static TimeSpan ReconcileInterval => TimeSpan.FromSeconds(2);

    public RedisScaleOutOptions Options { get; }

    /// <summary>The multiplexer once it exists (it may still be connecting).</summary>
    public IConnectionMultiplexer? Multiplexer => _multiplexer;

    /// <summary>Whether Redis can be reached now.</summary>
    public bool IsConnected => _multiplexer is { IsConnected: true };

    /// <summary>The multiplexer, created on first use; completes even when Redis is down.</summary>
    public Task<IConnectionMultiplexer> ConnectAsync() => _connect.Value;

    /// <summary>A key of this deployment: <c>PREFIX:KIND:ID</c>.</summary>
    public RedisKey Key(string kind, string id) => $"{Options.Prefix}:{kind}:{id}";

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // Connecting to a Redis that is down takes the connect timeout: never hold start-up for it.
        _ = ConnectAsync();
        _reconcile = new Timer(_ =>
        {
            if (IsConnected)
            {
                Reconcile?.Invoke();
            }
        }, null, ReconcileInterval, ReconcileInterval);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    // SignalR's Redis lifetime manager disposes the multiplexer it was given too; disposing twice is harmless.
    public void Dispose()
    {
        _reconcile?.Dispose();
        _multiplexer?.Dispose();
    }

    private async Task<IConnectionMultiplexer> ConnectCoreAsync()
    {
        var multiplexer = await ConnectionMultiplexer.ConnectAsync(_configuration);
        multiplexer.ConnectionFailed += (_, e) => Log.ConnectionLost(_logger, e.EndPoint, e.ConnectionType, e.FailureType);
        multiplexer.ConnectionRestored += (_, e) =>
        {
            Log.ConnectionRestored(_logger, e.EndPoint, e.ConnectionType);
            Restored?.Invoke();
            Reconcile?.Invoke();
        };

        if (multiplexer.IsConnected)
        {
            Log.Connected(_logger);
        }
        else
        {
            Log.NotConnected(_logger);
        }

        _multiplexer = multiplexer;
        return multiplexer;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.RedisConnected, EventName = nameof(EventIds.RedisConnected), Level = LogLevel.Information, Message = "Connected to Redis: scaled out.")]
        public static partial void Connected(ILogger logger);

        [LoggerMessage(EventId = EventIds.RedisNotConnected, EventName = nameof(EventIds.RedisNotConnected), Level = LogLevel.Warning, Message = "Redis cannot be reached: serving local clients only until it can.")]
        public static partial void NotConnected(ILogger logger);

        [LoggerMessage(EventId = EventIds.RedisConnectionLost, EventName = nameof(EventIds.RedisConnectionLost), Level = LogLevel.Warning, Message = "Lost the Redis {ConnectionType} connection to {EndPoint} ({FailureType}): serving local clients only until it returns.")]
        public static partial void ConnectionLost(ILogger logger, EndPoint? endPoint, ConnectionType connectionType, ConnectionFailureType failureType);

        [LoggerMessage(EventId = EventIds.RedisConnectionRestored, EventName = nameof(EventIds.RedisConnectionRestored), Level = LogLevel.Information, Message = "The Redis {ConnectionType} connection to {EndPoint} is back.")]
        public static partial void ConnectionRestored(ILogger logger, EndPoint? endPoint, ConnectionType connectionType);
    }
}
