namespace Brax.Viewer.Server.Transport;

/// <summary>How Kestrel's connections hold their bytes (configuration section <c>Viewer</c>).</summary>
public sealed class TransportOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "Viewer";

    /// <summary>Kestrel's own block size: this value keeps Kestrel's own memory pool.</summary>
    public const int KestrelBlockBytes = 4096;

    /// <summary>The largest block accepted.</summary>
    public const int MaxBlockBytes = 1024 * 1024;

    /// <summary>
    /// Size of the memory blocks Kestrel reads sockets into and queues writes in. One socket read
    /// fills at most one block, so large frames from streamers take a read, a flush and a thread
    /// hand-off per block. Default 64 KiB (Node reads sockets 64 KiB at a time as well); 4096 keeps
    /// Kestrel's own pool.
    /// </summary>
    public int TransportBlockBytes { get; set; } = 64 * 1024;

    internal IEnumerable<string> Validate()
    {
        if (TransportBlockBytes is < KestrelBlockBytes or > MaxBlockBytes)
        {
            yield return $"{SectionName}:{nameof(TransportBlockBytes)} must be from {KestrelBlockBytes} to {MaxBlockBytes} (is {TransportBlockBytes}).";
        }
    }
}
