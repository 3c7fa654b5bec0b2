using System.Buffers.Binary;
using System.Text.Json;
using Brax.Viewer.Hubs.State;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Brax.Viewer.Hubs.ScaleOut;

/// <summary>
/// The scene of each run in Redis (key <c>PREFIX:scene:RUN</c>), so every instance serves the scene
/// uploaded to any of them. While Redis is down an instance serves the last scene it saw, and a scene
/// uploaded to it is written to Redis when Redis returns.
/// </summary>
/// <remarks>Value: <c>[info length:4, big endian][SceneInfo as JSON][the system JSON as uploaded]</c>.</remarks>
internal sealed class RedisSceneStore : ISceneStore, IHostedService
{
    private readonly SharedValues _values;

    // A scene loaded during an outage refreshed only one instance's pages: the shared values report
    // it once it is in Redis, so every page of the run reloads.
    public RedisSceneStore(RedisConnection redis, ILogger<SharedValues> logger) =>
        _values = new(redis, "scene", logger, run => ChangedElsewhere?.Invoke(run) ?? Task.CompletedTask);

    public event Func<string, Task>? ChangedElsewhere;

    public async ValueTask<StoredScene?> GetAsync(string run, CancellationToken cancellationToken = default)
    {
        var value = await _values.GetAsync(run);
        return value.HasValue ? Decode((ReadOnlyMemory<byte>)value) : null;
    }

    public async Task SetAsync(string run, StoredScene scene, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scene);
        await _values.SetAsync(run, Encode(scene));
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static byte[] Encode(StoredScene scene)
    {
        var info = JsonSerializer.SerializeToUtf8Bytes(scene.Info);
        var value = new byte[4 + info.Length + scene.Json.Length];
        BinaryPrimitives.WriteInt32BigEndian(value, info.Length);
        info.CopyTo(value.AsSpan(4));
        scene.Json.Span.CopyTo(value.AsSpan(4 + info.Length));
        return value;
    }

    private static StoredScene? Decode(ReadOnlyMemory<byte> value)
    {
        if (value.Length < 4)
        {
            return null;
        }

        var infoLength = BinaryPrimitives.ReadInt32BigEndian(value.Span);
        if (infoLength < 0 || value.Length < 4 + infoLength
            || JsonSerializer.Deserialize<SceneInfo>(value.Span.Slice(4, infoLength)) is not { } info)
        {
            return null;
        }

        return new StoredScene(value[(4 + infoLength)..].ToArray(), info);
    }
}
