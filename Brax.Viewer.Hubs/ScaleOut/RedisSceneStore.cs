using System.Buffers.Binary;
using System.Text.Json;
using Brax.Viewer.Hubs.State;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Brax.Viewer.Hubs.ScaleOut;

/// <summary>
/// The scene of each run in Redis (key <c>PREFIX:scene:RUN</c>), so every instance serves the scene
/// uploaded to any of them. While Redis is down an instance serves the last scene it saw, and a scene
/// uploaded to it, or a deletion, is written to Redis when Redis returns.
/// </summary>
/// <remarks>
/// <para>Value: <c>[info length:4, big endian][SceneInfo as JSON][the system JSON as uploaded]</c>.</para>
/// <para>
/// The limits of <see cref="SceneStoreOptions"/> hold for the scenes in Redis, shared by every
/// instance: a script counts them and stores the new one in one step, so uploads to several
/// instances at once cannot together pass a limit. While Redis is down an instance can only count
/// the scenes it knows of; what it accepts then is written when Redis returns even if the others
/// filled Redis meanwhile, as any write kept through an outage is (the last writer wins). A deletion
/// through an outage is kept and written the same way.
/// </para>
/// </remarks>
internal sealed partial class RedisSceneStore : ISceneStore, IHostedService
{
    private const string Kind = "scene";

    // KEYS[1]: the run's scene. ARGV: the pattern of every scene key, the value (empty: only check),
    // the scene's own bytes, the run limit and the byte limit (0: none). Returns 0 when stored (or it
    // would be), 1 or 2 when refused for runs or bytes. A scene's bytes are its value's length less
    // the header and the info.
    private const string StoreScript = """
        local function sceneBytes(key)
          local head = redis.call('GETRANGE', key, 0, 3)
          if string.len(head) < 4 then return 0 end
          local a, b, c, d = string.byte(head, 1, 4)
          return redis.call('STRLEN', key) - 4 - (((a * 256 + b) * 256 + c) * 256 + d)
        end
        local runs, bytes, cursor = 0, 0, '0'
        repeat
          local page = redis.call('SCAN', cursor, 'MATCH', ARGV[1], 'COUNT', 1000)
          cursor = page[1]
          for _, key in ipairs(page[2]) do
            if key ~= KEYS[1] then
              runs = runs + 1
              bytes = bytes + sceneBytes(key)
            end
          end
        until cursor == '0'
        local maxRuns, maxBytes = tonumber(ARGV[4]), tonumber(ARGV[5])
        if maxRuns > 0 and runs + 1 > maxRuns then return 1 end
        if maxBytes > 0 and bytes + tonumber(ARGV[3]) > maxBytes then return 2 end
        if string.len(ARGV[2]) > 0 then redis.call('SET', KEYS[1], ARGV[2]) end
        return 0
        """;

    private readonly RedisConnection _redis;
    private readonly SceneStoreOptions _limits;
    private readonly ILogger<RedisSceneStore> _logger;
    private readonly SharedValues _values;

    // A scene loaded during an outage refreshed only one instance's pages: the shared values report
    // it once it is in Redis, so every page of the run reloads.
    public RedisSceneStore(RedisConnection redis, IOptions<SceneStoreOptions> options, ILogger<RedisSceneStore> logger, ILogger<SharedValues> valuesLogger)
    {
        _redis = redis;
        _limits = options.Value;
        _logger = logger;
        _values = new(redis, Kind, valuesLogger, run => ChangedElsewhere?.Invoke(run) ?? Task.CompletedTask);
    }

    public event Func<string, Task>? ChangedElsewhere;

    public async ValueTask<StoredScene?> GetAsync(string run, CancellationToken cancellationToken = default)
    {
        var value = await _values.GetAsync(run);
        return value.HasValue ? Decode((ReadOnlyMemory<byte>)value) : null;
    }

    public ValueTask<SceneStoreResult> AdmitsAsync(string run, long bytes, CancellationToken cancellationToken = default) =>
        StoreAsync(run, RedisValue.EmptyString, bytes);

    public async Task<SceneStoreResult> SetAsync(string run, StoredScene scene, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scene);
        return await StoreAsync(run, Encode(scene), scene.Json.Length);
    }

    public async Task<bool> DeleteAsync(string run, CancellationToken cancellationToken = default)
    {
        if (!(await _values.GetAsync(run)).HasValue)
        {
            return false;
        }

        await _values.SetAsync(run, RedisValue.Null);
        return true;
    }

    public async ValueTask<IReadOnlyCollection<string>> ListRunsAsync(CancellationToken cancellationToken = default) =>
        await _values.IdsAsync(cancellationToken);

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Stores <paramref name="value"/> within the limits, or only checks that it would fit when it is empty.</summary>
    private async ValueTask<SceneStoreResult> StoreAsync(string run, RedisValue value, long sceneBytes)
    {
        var checkOnly = value.IsNullOrEmpty;

        // A write of this run kept through an outage is not in Redis yet: this one queues behind it.
        if (_redis.Multiplexer is { IsConnected: true } multiplexer && !_values.IsPending(run))
        {
            try
            {
                // Not cancelled with the request: the script runs in Redis either way, and this copy must know.
                var result = (SceneStoreResult)(int)await multiplexer.GetDatabase().ScriptEvaluateAsync(
                    StoreScript,
                    [_redis.Key(Kind, run)],
                    [_redis.Key(Kind, "*").ToString(), value, sceneBytes, _limits.MaxSceneRuns, _limits.MaxTotalSceneBytes])
                    .WaitAsync(_redis.Options.CommandTimeout, CancellationToken.None);
                if (result == SceneStoreResult.Stored && !checkOnly)
                {
                    _values.Remember(run, value);
                }

                return result;
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                Log.StoreDeferred(_logger, run, ex.Message);
            }
        }

        // Redis cannot count for us: count the scenes this instance knows of.
        var others = _values.Known.Where(pair => pair.Key != run).Select(pair => SceneBytes(pair.Value)).ToList();
        var admitted = _limits.Admit(others.Count, others.Sum(), sceneBytes);
        if (admitted == SceneStoreResult.Stored && !checkOnly)
        {
            await _values.SetAsync(run, value);
        }

        return admitted;
    }

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

    /// <summary>The bytes of the system JSON in a stored value, as the script counts them.</summary>
    private static long SceneBytes(RedisValue value)
    {
        var bytes = (ReadOnlyMemory<byte>)value;
        return bytes.Length < 4 ? 0 : bytes.Length - 4 - BinaryPrimitives.ReadInt32BigEndian(bytes.Span);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.SceneStoreDeferred, EventName = nameof(EventIds.SceneStoreDeferred), Level = LogLevel.Warning, Message = "Could not store the scene of '{Run}' in Redis ({Error}); kept locally within this instance's view of the limits and written when Redis returns.")]
        public static partial void StoreDeferred(ILogger logger, string run, string error);
    }
}
