using System.Collections.Concurrent;
using Brax.Viewer.Client;
using Brax.Viewer.Hubs.Hubs;
using StackExchange.Redis;

namespace Brax.Viewer.Hubs.ScaleOut;

/// <summary>
/// The newest frame of each run, kept in Redis (key <c>PREFIX:latest-frame:RUN</c>) so any instance
/// can hand it to a viewer that joins late. Writes are throttled to one per
/// <see cref="RedisScaleOutOptions.LatestFrameInterval"/> per run, and the last frame of a burst is
/// always written: a SET of every megabyte frame would double the Redis traffic of a stream.
/// </summary>
internal sealed class LatestFrames(RedisConnection redis)
{
    // Keys of runs nobody streams to any more go away by themselves.
    private static readonly TimeSpan Expiry = TimeSpan.FromDays(1);
    private static readonly string GroupPrefix = HubGroups.FrameViewers(string.Empty);

    private readonly ConcurrentDictionary<string, Slot> _slots = new(StringComparer.Ordinal);
    private readonly long _intervalMs = (long)redis.Options.LatestFrameInterval.TotalMilliseconds;

    /// <summary>The newest frame of <paramref name="run"/> any instance saw, or null (none, or Redis unavailable).</summary>
    public async Task<Frame?> GetAsync(string run)
    {
        if (redis.Multiplexer is not { IsConnected: true } multiplexer)
        {
            return null;
        }

        try
        {
            var value = await multiplexer.GetDatabase().StringGetAsync(redis.Key("latest-frame", run)).WaitAsync(redis.Options.CommandTimeout);
            return value.HasValue && Frame.TryWrap((byte[])value!, out var frame, out _) ? frame : null;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            return null;
        }
    }

    /// <summary>Notes <paramref name="frame"/> as the newest of the run whose viewer group is <paramref name="group"/>.</summary>
    public void Offer(string group, Frame frame)
    {
        var slot = _slots.GetOrAdd(group, static (group, prefix) => new Slot(group.StartsWith(prefix, StringComparison.Ordinal) ? group[prefix.Length..] : group), GroupPrefix);
        long wait;
        lock (slot)
        {
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
            _ = multiplexer.GetDatabase().StringSetAsync(redis.Key("latest-frame", slot.Run), frame.Utf8Json, Expiry, flags: CommandFlags.FireAndForget);
        }
        catch (RedisException)
        {
            // Redis went away between the check and the write; the next frame after it returns is written.
        }
    }

    private sealed class Slot(string run)
    {
        public string Run { get; } = run;

        public Frame? Pending { get; set; }

        public bool Scheduled { get; set; }

        public long LastWrite { get; set; } = long.MinValue / 2;
    }
}
