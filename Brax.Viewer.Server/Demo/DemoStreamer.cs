using System.Buffers;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text.Json;
using Brax.Viewer.Client;
using Brax.Viewer.Server.Scenes;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Brax.Viewer.Server.Demo;

/// <summary>
/// <c>--demo</c>: loads the built-in scene, then streams its motion at 60 fps into this server's own
/// <c>/ws/frame?is_streamer=true</c> over a real WebSocket, the same path a training process uses.
/// </summary>
internal sealed partial class DemoStreamer(
    SceneLoader loader,
    IServer server,
    IHostApplicationLifetime lifetime,
    ILogger<DemoStreamer> logger) : BackgroundService
{
    private static readonly TimeSpan FramePeriod = TimeSpan.FromSeconds(1.0 / 60);
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // Loaded before Kestrel takes requests, so the first page load already shows the scene.
        var result = await loader.LoadAsync(RunContract.DefaultRun, DemoScene.SystemJson(), null, cancellationToken);
        if (!result.IsLoaded)
        {
            throw new InvalidOperationException($"The built-in demo scene is invalid: {result.Error}");
        }

        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Stop streaming as soon as shutdown begins: the server stops before this service does,
        // and would otherwise wait for the demo's connection (and its reconnects) to go away.
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, lifetime.ApplicationStopping);
        await StreamUntilStoppedAsync(stopping.Token);
    }

    private async Task StreamUntilStoppedAsync(CancellationToken stoppingToken)
    {
        if (!await WaitForStartAsync(stoppingToken))
        {
            return;
        }

        var uri = StreamerUri();
        if (uri is null)
        {
            Log.NoAddress(logger);
            return;
        }

        Log.Streaming(logger, uri);
        var clock = Stopwatch.StartNew();
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                using var socket = new ClientWebSocket();
                await socket.ConnectAsync(uri, stoppingToken);
                failures = 0;
                try
                {
                    await StreamAsync(socket, clock, stoppingToken);
                }
                finally
                {
                    await CloseAsync(socket);
                }
            }
            catch (Exception e) when (e is WebSocketException or IOException or HttpRequestException)
            {
                // Logged once per outage, not once per retry.
                if (failures++ == 0)
                {
                    Log.StreamFailed(logger, uri, e);
                }

                await Task.Delay(RetryDelay, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    private static async Task StreamAsync(ClientWebSocket socket, Stopwatch clock, CancellationToken stoppingToken)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using var writer = new Utf8JsonWriter(buffer);
        using var timer = new PeriodicTimer(FramePeriod);
        while (socket.State == WebSocketState.Open && await timer.WaitForNextTickAsync(stoppingToken))
        {
            buffer.ResetWrittenCount();
            writer.Reset(buffer);
            writer.WriteStartObject();
            writer.WriteStartObject("x");
            DemoScene.WritePoses(writer, clock.Elapsed.TotalSeconds);
            writer.WriteEndObject();
            writer.WriteNumber("env_id", 0);
            // Wall-clock send time in seconds (Python's time.time()); the page shows latency from it.
            writer.WriteNumber("timestamp", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0);
            writer.WriteEndObject();
            writer.Flush();
            await socket.SendAsync(buffer.WrittenMemory, WebSocketMessageType.Text, true, stoppingToken);
        }
    }

    /// <summary>Says goodbye with a close frame, so the server ends the session at once instead of at its own shutdown.</summary>
    private static async Task CloseAsync(ClientWebSocket socket)
    {
        if (socket.State != WebSocketState.Open)
        {
            return;
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        try
        {
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "demo stopping", timeout.Token);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
        {
            // Already gone: nothing left to close.
        }
    }

    private async Task<bool> WaitForStartAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var onStarted = lifetime.ApplicationStarted.Register(started.SetResult);
        using var onStopping = stoppingToken.Register(() => started.TrySetCanceled(stoppingToken));
        try
        {
            await started.Task;
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>The server's own frame endpoint, preferring a plain-http address on loopback.</summary>
    private Uri? StreamerUri()
    {
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var address = addresses.FirstOrDefault(a => a.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
            ?? addresses.FirstOrDefault();
        if (address is null)
        {
            return null;
        }

        var bound = new UriBuilder(address.Replace("://+", "://localhost", StringComparison.Ordinal).Replace("://*", "://localhost", StringComparison.Ordinal));
        var builder = new UriBuilder(bound.Scheme == "https" ? "wss" : "ws", LoopbackFor(bound.Host), bound.Port, "/ws/frame")
        {
            Query = "is_streamer=true",
        };
        return builder.Uri;
    }

    private static string LoopbackFor(string host) => host switch
    {
        "0.0.0.0" or "localhost" => "127.0.0.1",
        "[::]" or "::" => "[::1]",
        _ => host,
    };

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.DemoStreaming, EventName = nameof(EventIds.DemoStreaming), Level = LogLevel.Information, Message = "Demo: streaming the built-in scene at 60 fps to {Uri}")]
        public static partial void Streaming(ILogger logger, Uri uri);

        [LoggerMessage(EventId = EventIds.DemoStreamFailed, EventName = nameof(EventIds.DemoStreamFailed), Level = LogLevel.Warning, Message = "Demo: cannot stream to {Uri}; retrying every second")]
        public static partial void StreamFailed(ILogger logger, Uri uri, Exception exception);

        [LoggerMessage(EventId = EventIds.DemoNoAddress, EventName = nameof(EventIds.DemoNoAddress), Level = LogLevel.Warning, Message = "Demo: the server has no address to stream to")]
        public static partial void NoAddress(ILogger logger);
    }
}
