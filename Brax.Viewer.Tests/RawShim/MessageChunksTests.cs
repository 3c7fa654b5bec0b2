using Brax.Viewer.Hubs.RawShim;

namespace Brax.Viewer.Tests.RawShim;

/// <summary>A message kept as it arrives: no copies while it grows, never much more reserved than arrived.</summary>
public sealed class MessageChunksTests
{
    [Fact]
    public void Space_offered_is_at_most_one_64_KiB_chunk_at_a_time_and_never_past_the_cap()
    {
        var chunks = new MessageChunks();
        var written = 0L;
        try
        {
            while (written < 3_000_000)
            {
                var memory = chunks.GetMemory(3_000_000 - written);
                memory.Length.Should().BeInRange(1, 64 * 1024, "a chunk is at most 64 KiB");
                memory.Span.Fill((byte)(written % 251));
                var arrived = Math.Min(memory.Length, 1000); // a client that sends in small pieces
                chunks.Advance(arrived);
                written += arrived;
            }

            chunks.Length.Should().Be(3_000_000);
            chunks.GetMemory(0).Length.Should().Be(0, "nothing is offered past the cap");
        }
        finally
        {
            chunks.Clear();
        }
    }

    [Fact]
    public void Kept_bytes_come_out_in_order_and_are_searched_across_chunks()
    {
        var chunks = new MessageChunks();
        var expected = Enumerable.Range(0, 200_000).Select(i => (byte)(i % 29)).ToArray();
        for (var offset = 0; offset < expected.Length;)
        {
            var memory = chunks.GetMemory(expected.Length - offset);
            var count = Math.Min(memory.Length, 7_000);
            expected.AsSpan(offset, count).CopyTo(memory.Span);
            chunks.Advance(count);
            offset += count;
        }

        chunks.ToArray().Should().Equal(expected);
        chunks.Contains(28).Should().BeTrue();
        chunks.Contains(0x1E).Should().BeFalse();

        chunks.Clear();
        chunks.Length.Should().Be(0);
        chunks.ToArray().Should().BeEmpty();
    }
}
