namespace Brax.Viewer.Hubs.Runs;

/// <summary>The frame viewers and streamers of one run.</summary>
internal readonly record struct RunClientCount(int Viewers, int Streamers)
{
    public bool IsEmpty => Viewers == 0 && Streamers == 0;

    public static RunClientCount operator +(RunClientCount left, RunClientCount right) =>
        new(left.Viewers + right.Viewers, left.Streamers + right.Streamers);
}
