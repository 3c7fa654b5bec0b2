using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace Brax.Viewer.Server.Transport;

/// <summary>
/// Kestrel's connection memory with blocks larger than its own 4 KiB: every socket read fills at
/// most one block, so a 1 MB frame from a streamer is 16 reads, pipe flushes and thread hand-offs
/// at 64 KiB instead of 256. Blocks live on the pinned object heap, as Kestrel's do, since sockets
/// hold them across asynchronous operations.
/// </summary>
/// <remarks>
/// Blocks are reused without limit while they are in demand: a burst of sends to a thousand viewers
/// needs a block each, and freeing and allocating them again every frame would churn the heap.
/// Blocks that stayed free through a whole <see cref="Trim"/> interval are let go to the garbage
/// collector, so memory taken by a peak (thousands of handshakes at once) does not stay.
/// </remarks>
internal sealed class LargeBlockMemoryPool(int blockSize) : MemoryPool<byte>
{
    private readonly ConcurrentQueue<Block> _free = new();
    private int _freeCount;

    // The fewest blocks free at any moment since the last trim: that many were not needed. Updated
    // without a lock: a lost update lets a trim free a block too many, which is only allocated again.
    private int _fewestFreeSinceTrim = int.MaxValue;

    public override int MaxBufferSize => blockSize;

    /// <summary>Blocks waiting in the pool to be rented.</summary>
    public int FreeBlocks => Volatile.Read(ref _freeCount);

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, blockSize);
        if (_free.TryDequeue(out var block))
        {
            var free = Interlocked.Decrement(ref _freeCount);
            if (free < Volatile.Read(ref _fewestFreeSinceTrim))
            {
                Volatile.Write(ref _fewestFreeSinceTrim, free);
            }

            return block;
        }

        Volatile.Write(ref _fewestFreeSinceTrim, 0);
        return new Block(this, blockSize);
    }

    /// <summary>
    /// Lets go of as many free blocks as were never rented since the previous call; the caller's
    /// timer sets the interval.
    /// </summary>
    public void Trim()
    {
        var unused = Math.Min(Interlocked.Exchange(ref _fewestFreeSinceTrim, int.MaxValue), FreeBlocks);
        for (var i = 0; i < unused && _free.TryDequeue(out _); i++)
        {
            Interlocked.Decrement(ref _freeCount);
        }
    }

    protected override void Dispose(bool disposing)
    {
        while (_free.TryDequeue(out _))
        {
            Interlocked.Decrement(ref _freeCount);
        }
    }

    private void Return(Block block)
    {
        _free.Enqueue(block);
        Interlocked.Increment(ref _freeCount);
    }

    private sealed class Block(LargeBlockMemoryPool pool, int size) : IMemoryOwner<byte>
    {
        // Made as pinned memory, so a socket that pins it for an operation (on Windows) takes no handle.
        public Memory<byte> Memory { get; } = MemoryMarshal.CreateFromPinnedArray(GC.AllocateUninitializedArray<byte>(size, pinned: true), 0, size);

        public void Dispose() => pool.Return(this);
    }
}
