using System.Numerics;

namespace Brax.Viewer.LoadGen.Metrics;

/// <summary>
/// Log-linear histogram of microseconds (32 sub-buckets per power of two, about 3% resolution),
/// fixed size and allocation-free to record into. Not thread-safe: one per thread, merged at the end.
/// </summary>
internal sealed class LatencyHistogram
{
    private const int SubBits = 5;
    private const int SubCount = 1 << SubBits;
    private readonly long[] _counts = new long[(64 - SubBits + 1) << SubBits];

    public long Count { get; private set; }

    public long MaxMicroseconds { get; private set; }

    public void Record(long microseconds)
    {
        if (microseconds < 0)
        {
            microseconds = 0;
        }

        _counts[Index(microseconds)]++;
        Count++;
        if (microseconds > MaxMicroseconds)
        {
            MaxMicroseconds = microseconds;
        }
    }

    public void Add(LatencyHistogram other)
    {
        for (var i = 0; i < _counts.Length; i++)
        {
            _counts[i] += other._counts[i];
        }

        Count += other.Count;
        MaxMicroseconds = Math.Max(MaxMicroseconds, other.MaxMicroseconds);
    }

    /// <summary>The upper edge of the bucket holding the <paramref name="quantile"/> sample (so never an underestimate).</summary>
    public long Percentile(double quantile)
    {
        if (Count == 0)
        {
            return 0;
        }

        var rank = (long)Math.Ceiling(quantile * Count);
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= rank)
            {
                return Math.Min(UpperEdge(i), MaxMicroseconds);
            }
        }

        return MaxMicroseconds;
    }

    private static int Index(long value)
    {
        if (value < SubCount)
        {
            return (int)value;
        }

        var exponent = 63 - BitOperations.LeadingZeroCount((ulong)value);
        var sub = (int)(value >> (exponent - SubBits)) & (SubCount - 1);
        return ((exponent - SubBits + 1) << SubBits) + sub;
    }

    private static long UpperEdge(int index)
    {
        if (index < SubCount)
        {
            return index;
        }

        var exponent = (index >> SubBits) + SubBits - 1;
        var sub = index & (SubCount - 1);
        var low = (long)(SubCount + sub) << (exponent - SubBits);
        return low + (1L << (exponent - SubBits)) - 1;
    }
}
