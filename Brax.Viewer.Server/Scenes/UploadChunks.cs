using System.Buffers;

namespace Brax.Viewer.Server.Scenes;

/// <summary>
/// An upload of unknown length (chunked), read into pooled 64 KiB chunks: growing never copies, so
/// reading it costs its size once, and an upload the store then has no room for is given back
/// without ever being made one array. <see cref="ToArray"/> makes the one array that is kept.
/// </summary>
internal sealed class UploadChunks : IDisposable
{
    private const int ChunkSize = 64 * 1024;
    private readonly List<byte[]> _chunks = [];

    /// <summary>Bytes read.</summary>
    public long Length { get; private set; }

    /// <summary>Reads <paramref name="body"/> to its end; <see langword="null"/> (nothing kept) once it passes <paramref name="max"/> bytes.</summary>
    public static async Task<UploadChunks?> ReadAsync(Stream body, long max, CancellationToken cancellationToken)
    {
        var upload = new UploadChunks();
        try
        {
            while (true)
            {
                var used = (int)(upload.Length % ChunkSize);
                if (used == 0 && upload.Length == upload._chunks.Count * (long)ChunkSize)
                {
                    upload._chunks.Add(ArrayPool<byte>.Shared.Rent(ChunkSize));
                }

                var read = await body.ReadAsync(upload._chunks[^1].AsMemory(used, ChunkSize - used), cancellationToken);
                if (read == 0)
                {
                    var complete = upload;
                    upload = null;
                    return complete;
                }

                upload.Length += read;
                if (upload.Length > max)
                {
                    return null;
                }
            }
        }
        finally
        {
            upload?.Dispose();
        }
    }

    /// <summary>The bytes read, as one array of their exact length.</summary>
    public byte[] ToArray()
    {
        var bytes = new byte[Length];
        for (var i = 0; i < _chunks.Count; i++)
        {
            var length = (int)Math.Min(ChunkSize, Length - ((long)i * ChunkSize));
            _chunks[i].AsSpan(0, length).CopyTo(bytes.AsSpan(i * ChunkSize));
        }

        return bytes;
    }

    /// <summary>Gives the chunks back to the pool.</summary>
    public void Dispose()
    {
        foreach (var chunk in _chunks)
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        _chunks.Clear();
    }
}
