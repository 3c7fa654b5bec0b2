using Brax.Viewer.Server.Transport;
using Brax.Viewer.Tests.Infrastructure;
using Microsoft.AspNetCore.Connections;

namespace Brax.Viewer.Tests.Transport;

/// <summary>
/// Kestrel reads and writes every connection in blocks of <c>Viewer:TransportBlockBytes</c>
/// (64 KiB unless set), or in its own 4 KiB blocks when set to 4096.
/// </summary>
public sealed class TransportBlockTests
{
    [Fact]
    public async Task Kestrel_takes_its_blocks_from_the_servers_64_KiB_pool_and_a_big_frame_arrives_byte_for_byte()
    {
        await using var server = await ViewerTestServer.StartAsync();
        await using var viewer = await RawClient.ConnectAsync(server.WebSocket("ws/frame"));
        await using var streamer = await RawClient.ConnectAsync(server.WebSocket("ws/frame?is_streamer=true"));
        await server.ViewersJoinedAsync(1);

        var factory = server.GetRequiredService<IMemoryPoolFactory<byte>>().Should().BeOfType<LargeBlockMemoryPoolFactory>().Subject;
        factory.BlockSize.Should().Be(64 * 1024);

        var frame = BatchedFrames.Json(1_000_000);
        await streamer.SendAsync(frame);
        (await viewer.ReceiveBytesAsync()).Should().Equal(frame);

        // The handshakes and the megabyte passed through this factory's pools: Kestrel uses them.
        factory.Pools.Should().NotBeEmpty("Kestrel made its pool with the server's factory");
        factory.Pools.Sum(pool => pool.FreeBlocks).Should().BePositive("the blocks Kestrel filled are back in the pool");
    }

    [Fact]
    public async Task At_4096_bytes_Kestrel_keeps_its_own_pool()
    {
        await using var server = await ViewerTestServer.StartAsync(new Dictionary<string, string?> { ["Viewer:TransportBlockBytes"] = "4096" });
        await using var viewer = await RawClient.ConnectAsync(server.WebSocket("ws/frame"));
        await using var streamer = await RawClient.ConnectAsync(server.WebSocket("ws/frame?is_streamer=true"));
        await server.ViewersJoinedAsync(1);

        server.GetRequiredService<IMemoryPoolFactory<byte>>().Should().NotBeOfType<LargeBlockMemoryPoolFactory>();
        var frame = BatchedFrames.Json(300_000);
        await streamer.SendAsync(frame);
        (await viewer.ReceiveBytesAsync()).Should().Equal(frame);
    }
}
