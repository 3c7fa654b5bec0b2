using System.Buffers;
using Microsoft.AspNetCore.Connections;

namespace Brax.Viewer.Server.Transport;

/// <summary>
/// Gives Kestrel <see cref="LargeBlockMemoryPool"/>s in place of its own pools, and trims each of
/// them every <see cref="TrimInterval"/>.
/// </summary>
internal sealed class LargeBlockMemoryPoolFactory(int blockSize, TimeProvider time) : IMemoryPoolFactory<byte>, IDisposable
{
    /// <summary>How long a free block may go unused before it is let go.</summary>
    public static readonly TimeSpan TrimInterval = TimeSpan.FromSeconds(10);

    private readonly List<(LargeBlockMemoryPool Pool, ITimer Trim)> _pools = [];

    /// <summary>The size of every block of the pools this factory makes.</summary>
    public int BlockSize => blockSize;

    /// <summary>The pools made so far (Kestrel makes one per transport).</summary>
    public IReadOnlyList<LargeBlockMemoryPool> Pools
    {
        get
        {
            lock (_pools)
            {
                return [.. _pools.Select(made => made.Pool)];
            }
        }
    }

    public MemoryPool<byte> Create(MemoryPoolOptions? options = null)
    {
        var pool = new LargeBlockMemoryPool(blockSize);
        var timer = time.CreateTimer(static state => ((LargeBlockMemoryPool)state!).Trim(), pool, TrimInterval, TrimInterval);
        lock (_pools)
        {
            _pools.Add((pool, timer));
        }

        return pool;
    }

    public void Dispose()
    {
        lock (_pools)
        {
            _pools.ForEach(made => made.Trim.Dispose());
            _pools.Clear();
        }
    }
}
