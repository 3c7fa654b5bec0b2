using System.Buffers;

namespace Brax.Viewer.LoadGen.Clients;

/// <summary>
/// A socket stream that reads ahead into a buffer. The WebSocket client reads a frame header and then
/// its payload in separate small reads; served from one buffer, a whole small message costs one
/// receive call instead of two or three. The buffer is rented only while a read is being served, so
/// idle connections hold none.
/// </summary>
internal sealed class ReadAheadStream(Stream inner) : Stream
{
    private const int ReadAhead = 16 * 1024;
    private byte[]? _buffer;
    private int _start;
    private int _end;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        if (destination.IsEmpty)
        {
            return 0;
        }

        if (_buffer is null)
        {
            // Large reads go straight through: nothing to gain by copying them.
            if (destination.Length >= ReadAhead)
            {
                return await inner.ReadAsync(destination, cancellationToken);
            }

            // Wait for data without holding a buffer (a zero-byte read returns once data is there), then rent one to read into.
#pragma warning disable CA2022 // A zero-byte read is a wait for data, not an inexact read.
            await inner.ReadAsync(Memory<byte>.Empty, cancellationToken);
#pragma warning restore CA2022
            _buffer = ArrayPool<byte>.Shared.Rent(ReadAhead);
            _start = 0;
            _end = await inner.ReadAsync(_buffer, cancellationToken);
            if (_end == 0)
            {
                Return();
                return 0;
            }
        }

        var count = Math.Min(destination.Length, _end - _start);
        _buffer.AsSpan(_start, count).CopyTo(destination.Span);
        _start += count;
        if (_start == _end)
        {
            Return();
        }

        return count;
    }

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default) => inner.WriteAsync(source, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => inner.WriteAsync(buffer, offset, count, cancellationToken);

    public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override void Flush() => inner.Flush();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
            Return();
        }

        base.Dispose(disposing);
    }

    private void Return()
    {
        if (_buffer is { } buffer)
        {
            _buffer = null;
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
