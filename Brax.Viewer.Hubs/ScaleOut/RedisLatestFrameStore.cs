using System.Collections.Concurrent;
using Brax.Viewer.Client;
using Brax.Viewer.Hubs.Fanout;
using StackExchange.Redis;

namespace Brax.Viewer.Hubs.ScaleOut;

/// <summary>
/// The newest frame of each group, in Redis (key <c>PREFIX:latest-frame:GROUP</c>) so any instance
/// can show it to a viewer that joins late, and in this process for when Redis cannot be read.
/// Writes are throttled to one per <see cref="RedisScaleOutOptions.LatestFrameInterval"/> per group,
/// and the last frame of a burst is always written: a SET of every megabyte frame would double the
/// Redis traffic of a stream.
/// </summary>
internal sealed class RedisLatestFrameStore(RedisConnection redis) : ILatestFrameStore
{
    // Keys of runs nobody streams to any more go away by themselves.
    private static readonly TimeSpan Expiry = TimeSpan.FromDays(1);

    private readonly ConcurrentDictionary<string, Slot> _slots = new(StringComparer.Ordinal);
    private readonly long _intervalMs = (long)redis.Options.LatestFrameInterval.TotalMilliseconds;

    public async ValueTask<Frame?> GetAsync(string group, CancellationToken cancellationToken = default)
    {
        var local = _slots.TryGetValue(group, out var slot) ? slot.Newest : null;
        if (redis.Multiplexer is not { IsConnected: true } multiplexer)
        {
            return local;
        }

        try
        {
            var value = await multiplexer.GetDatabase().StringGetAsync(redis.Key("latest-frame", group)).WaitAsync(redis.Options.CommandTimeout, cancellationToken);
            return value.HasValue && Frame.TryWrap((byte[])value!, out var frame, out _) ? frame : local;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            return local;
        }
    }

    public void Publish(string group, Frame frame)
    {
        var slot = _slots.GetOrAdd(group, static group => new Slot(group));
        long wait;
        lock (slot)
        {
            slot.Newest = frame;
            slot.Pending = frame;
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
        Frame? frame;
        lock (slot)
        {
            frame = slot.Pending;
            slot.Pending = null;
            slot.Scheduled = false;
            slot.LastWrite = Environment.TickCount64;
        }

        if (frame is null || redis.Multiplexer is not { IsConnected: true } multiplexer)
        {
            return;
        }

        try
        {
            // Asynchronous fire-and-forget: never waits for Redis's write lock on the streamer's thread.
            _ = multiplexer.GetDatabase().StringSetAsync(redis.Key("latest-frame", slot.Group), frame.Utf8Json, Expiry, flags: CommandFlags.FireAndForget);
        }
        catch (RedisException)
        {
            // Redis went away between the check and the write; the next frame after it returns is written.
        }
    }

    private sealed class Slot(string group)
    {
        public string Group { get; } = group;

        public Frame? Newest { get; set; }

        public Frame? Pending { get; set; }

        public bool Scheduled { get; set; }

        public long LastWrite { get; set; } = long.MinValue / 2;
    }
}
