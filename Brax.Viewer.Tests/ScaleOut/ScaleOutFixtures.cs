using System.Text;

namespace Brax.Viewer.Tests.ScaleOut;

/// <summary>Three instances on one Redis, shared by the tests of a class (each test uses its own run).</summary>
public sealed class ThreeInstances : IAsyncLifetime
{
    public ScaleOutCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync() => Cluster = await ScaleOutCluster.StartAsync(3);

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

/// <summary>Frames made for these tests: numbered, so order and loss are visible, and of any size.</summary>
public static class TestFrames
{
    public static string Numbered(int number, int padBytes = 0) =>
        $$"""{"x":{"pos":[[0.1,-2.5e-300,{{number}}.5]],"rot":[[0.7071067811865476,0,0.7071067811865476,0]]},"seq":{{number}},"pad":"{{new string('p', padBytes)}}"}""";

    /// <summary>A numbered frame of one environment of a batched scene.</summary>
    public static string OfEnv(int number, int env) =>
        $$"""{"x":{"pos":[[0.1,0.2,{{number}}.5]],"rot":[[1,0,0,0]]},"seq":{{number}},"env_id":{{env}}}""";

    public static int NumberOf(string frame)
    {
        var start = frame.IndexOf("\"seq\":", StringComparison.Ordinal) + 6;
        var end = frame.IndexOf(',', start);
        return int.Parse(frame.AsSpan(start, end - start));
    }

    public static int NumberOf(byte[] frame) => NumberOf(Encoding.UTF8.GetString(frame));
}
