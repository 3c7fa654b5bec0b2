using System.Buffers;

namespace Brax.Viewer.Hubs.RawShim;

/// <summary>
/// The bytes of one incoming message, kept in pooled chunks as they arrive. Growing never copies and
/// never reserves much more than has arrived: chunks start at 4 KiB and double up to 64 KiB, so a
/// small message takes one small chunk and a large one holds at most 64 KiB it has not filled. A
/// message that turns out too large is given back by <see cref="Clear"/> at once.
/// </summary>
internal sealed class MessageChunks
{
    private const int FirstChunk = 4 * 1024;
    private const int LargestChunk = 64 * 1024;

    private readonly List<byte[]> _chunks = [];
    private int _usedInLast;

    /// <summary>Bytes kept.</summary>
    public long Length { get; private set; }

    /// <summary>Where the next bytes go: the free end of the last chunk, or a new one; at most <paramref name="max"/> bytes.</summary>
    public Memory<byte> GetMemory(long max)
    {
        if (_chunks.Count == 0 || _usedInLast == _chunks[^1].Length)
        {
            var size = _chunks.Count == 0 ? FirstChunk : Math.Min(_chunks[^1].Length * 2, LargestChunk);
            _chunks.Add(ArrayPool<byte>.Shared.Rent(size));
            _usedInLast = 0;
        }

        var last = _chunks[^1];
        return last.AsMemory(_usedInLast, (int)Math.Min(last.Length - _usedInLast, max));
    }

    /// <summary>Keeps <paramref name="count"/> bytes written into the memory <see cref="GetMemory"/> returned.</summary>
    public void Advance(int count)
    {
        _usedInLast += count;
        Length += count;
    }

    /// <summary>Whether any kept byte is <paramref name="value"/>.</summary>
    public bool Contains(byte value)
    {
        for (var i = 0; i < _chunks.Count; i++)
        {
            if (Used(i).Contains(value))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The kept bytes in one array of their own size (not cleared first: every byte is written).</summary>
    public byte[] ToArray()
    {
        var whole = GC.AllocateUninitializedArray<byte>(checked((int)Length));
        var at = 0;
        for (var i = 0; i < _chunks.Count; i++)
        {
            var used = Used(i);
            used.CopyTo(whole.AsSpan(at));
            at += used.Length;
        }

        return whole;
    }

    /// <summary>Gives every chunk back to the pool.</summary>
    public void Clear()
    {
        foreach (var chunk in _chunks)
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        _chunks.Clear();
        _usedInLast = 0;
        Length = 0;
    }

    private ReadOnlySpan<byte> Used(int chunk) => _chunks[chunk].AsSpan(0, chunk == _chunks.Count - 1 ? _usedInLast : _chunks[chunk].Length);
}
