using Brax.Viewer.Server.Transport;

namespace Brax.Viewer.Tests.Transport;

/// <summary>
/// Kestrel's blocks from <see cref="LargeBlockMemoryPool"/>: whole blocks, reused while in demand,
/// let go once a trim interval passed without their being needed.
/// </summary>
public sealed class LargeBlockMemoryPoolTests
{
    private const int BlockSize = 64 * 1024;

    [Fact]
    public void Every_rent_gives_a_whole_block_and_a_returned_block_is_rented_again()
    {
        using var pool = new LargeBlockMemoryPool(BlockSize);

        var first = pool.Rent(4096);
        first.Memory.Length.Should().Be(BlockSize, "a socket read fills the whole block, not the 4 KiB a pipe asks for");
        first.Dispose();
        pool.FreeBlocks.Should().Be(1);

        var second = pool.Rent();
        second.Should().BeSameAs(first, "returned blocks are reused, not allocated again");
        pool.FreeBlocks.Should().Be(0);
    }

    [Fact]
    public void A_rent_larger_than_a_block_is_refused()
    {
        using var pool = new LargeBlockMemoryPool(BlockSize);

        pool.Invoking(p => p.Rent(BlockSize + 1)).Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void A_trim_lets_go_only_of_the_blocks_no_rent_needed_since_the_last_one()
    {
        using var pool = new LargeBlockMemoryPool(BlockSize);
        var burst = Enumerable.Range(0, 10).Select(_ => pool.Rent()).ToList();
        burst.ForEach(block => block.Dispose());

        pool.Trim();
        pool.FreeBlocks.Should().Be(10, "the burst needed all ten: the pool was empty when it rented them");

        // Four are in demand through the next interval, six never leave the pool.
        var steady = Enumerable.Range(0, 4).Select(_ => pool.Rent()).ToList();
        steady.ForEach(block => block.Dispose());
        pool.Trim();
        pool.FreeBlocks.Should().Be(4);

        pool.Trim();
        pool.FreeBlocks.Should().Be(0, "nothing was rented through a whole interval");
    }
}
