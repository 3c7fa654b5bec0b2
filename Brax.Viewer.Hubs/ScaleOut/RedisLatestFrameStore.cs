using System.Collections.Concurrent;
using System.Globalization;
using Brax.Viewer.Client;
using Brax.Viewer.Hubs.Fanout;
using StackExchange.Redis;

namespace Brax.Viewer.Hubs.ScaleOut;

/// <summary>
/// The newest frame of each environment of each group in Redis (hash <c>PREFIX:latest-frame:GROUP</c>,
/// one field per <c>env_id</c>), for instances that have not seen a group's frames themselves. Writes
/// are throttled to one per <see cref="RedisScaleOutOptions.LatestFrameInterval"/> per group, and the
/// last frame of each environment in a burst is always written: a write of every megabyte frame would
/// double the Redis traffic of a stream.
/// </summary>
internal sealed class RedisLatestFrameStore(RedisConnection redis) : ILatestFrameStore
{
    // Keys of runs nobody streams to any more go away by themselves.
    private static readonly TimeSpan Expiry = TimeSpan.FromDays(1);

    private readonly ConcurrentDictionary<string, Slot> _slots = new(StringComparer.Ordinal);
    private readonly long _intervalMs = (long)redis.Options.LatestFrameInterval.TotalMilliseconds;

    public async ValueTask<IReadOnlyList<Frame>> GetAsync(string group, CancellationToken cancellationToken = default)
    {
        if (redis.Multiplexer is not { IsConnected: true } multiplexer)
        {
            return [];
        }

        try
        {
            var fields = await multiplexer.GetDatabase().HashGetAllAsync(redis.Key("latest-frame", group)).WaitAsync(redis.Options.CommandTimeout, cancellationToken);
            var frames = new List<Frame>(fields.Length);
            foreach (var field in fields)
            {
                // Redis is shared infrastructure: check what comes out of it as we check what streamers send.
                if (Frame.TryWrap((byte[])field.Value!, out var frame, out _))
                {
                    frames.Add(frame);
                }
            }

            return frames;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            return [];
        }
    }

    public void Publish(string group, Frame frame)
    {
        var slot = _slots.GetOrAdd(group, static group => new Slot(group));
        long wait;
        lock (slot)
        {
            slot.Pending[frame.EnvId ?? -1] = frame;
            if (slot.Scheduled)
            {
                return;
            }

            slot.Scheduled = true;
            wait = slot.LastWrite + _intervalMs - Environment.TickCount64;
        }

        if (wait <= 0)
        {
            Write(slot);
        }
        else
        {
            _ = WriteLaterAsync(slot, wait);
        }
    }

    private async Task WriteLaterAsync(Slot slot, long delayMs)
    {
        await Task.Delay(TimeSpan.FromMilliseconds(delayMs));
        Write(slot);
    }

    private void Write(Slot slot)
    {
        HashEntry[] fields;
        lock (slot)
        {
            fields = [.. slot.Pending.Select(pending => new HashEntry(pending.Key.ToString(CultureInfo.InvariantCulture), pending.Value.Utf8Json))];
            slot.Pending.Clear();
            slot.Scheduled = false;
            slot.LastWrite = Environment.TickCount64;
        }

        if (fields.Length == 0 || redis.Multiplexer is not { IsConnected: true } multiplexer)
        {
            return;
        }

        try
        {
            // Asynchronous fire-and-forget: never waits for Redis on the streamer's thread.
            var database = multiplexer.GetDatabase();
            var key = redis.Key("latest-frame", slot.Group);
            _ = database.HashSetAsync(key, fields, CommandFlags.FireAndForget);
            _ = database.KeyExpireAsync(key, Expiry, flags: CommandFlags.FireAndForget);
        }
        catch (RedisException)
        {
            // Redis went away between the check and the write; the next frame after it returns is written.
        }
    }

    private sealed class Slot(string group)
    {
        public string Group { get; } = group;

        public Dictionary<int, Frame> Pending { get; } = [];

        public bool Scheduled { get; set; }

        public long LastWrite { get; set; } = long.MinValue / 2;
    }
}
