using Brax.Viewer.Client;
using Brax.Viewer.Tests.Infrastructure;

namespace Brax.Viewer.Tests.ScaleOut;

/// <summary>A control client hears the viewers of its run on every instance, not only its own.</summary>
public sealed class CrossInstanceViewerCountTests(ThreeInstances instances) : IClassFixture<ThreeInstances>
{
    private ScaleOutCluster Cluster => instances.Cluster;

    [Fact]
    public async Task Viewers_on_every_instance_are_counted_for_a_control_client_on_any_of_them()
    {
        const string run = "counted-everywhere";
        await using var trainer = await RawClient.ConnectAsync(Cluster.A.WebSocket($"ws/control?run={run}"));
        (await trainer.NextViewerCountAsync()).Should().Be(0);

        await using var onB = await RawClient.ConnectAsync(Cluster.B.WebSocket($"ws/frame?run={run}"));
        await NextCountIsAsync(trainer, 1);
        await using (var onC = await SignalRClient.ConnectAsync(Cluster.C, $"{FrameHubContract.Path}?run={run}", HubProtocolKind.Json))
        {
            await NextCountIsAsync(trainer, 2);
            await using var onA = await RawClient.ConnectAsync(Cluster.A.WebSocket($"ws/frame?run={run}"));
            await NextCountIsAsync(trainer, 3);
        }

        await NextCountIsAsync(trainer, 1);
    }

    // Counts are coalesced, so a step may be skipped; the trainer's last word must become the expected one.
    private static async Task NextCountIsAsync(RawClient trainer, int expected)
    {
        var told = new List<int>();
        while (told.LastOrDefault(-1) != expected)
        {
            try
            {
                told.Add(await trainer.NextViewerCountAsync());
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"the trainer was told {string.Join(", ", told)}, never {expected}");
            }
        }
    }
}
