using System.Collections.Concurrent;

namespace Brax.Viewer.Hubs.Fanout;

/// <summary>
/// One core's share of the fan-out. Every viewer belongs to one lane for life, and a lane offers
/// frames to its members in the order they were published, so a viewer's frames keep their order
/// while the writes of one frame to many viewers run on several cores at once.
/// </summary>
/// <remarks>
/// The lane is its own thread-pool work item and its queue is a reused ring, so posting a frame
/// allocates nothing in steady state.
/// </remarks>
internal sealed class FanoutLane(int index) : IThreadPoolWorkItem
{
    private readonly ConcurrentQueue<Delivery> _queue = new();
    private int _scheduled;

    public int Index => index;

    public void Post(in Delivery delivery)
    {
        _queue.Enqueue(delivery);
        if (Interlocked.CompareExchange(ref _scheduled, 1, 0) == 0)
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }
    }

    public void Execute()
    {
        while (true)
        {
            while (_queue.TryDequeue(out var delivery))
            {
                delivery.Offer();
            }

            // Stand down, unless a frame was posted after the queue looked empty and its poster saw us
            // still running. The exchange is a full fence: with a plain release write the emptiness
            // check could be read before the write is seen, a poster could still see us running, and
            // its frame would wait in the queue until the next one came.
            Interlocked.Exchange(ref _scheduled, 0);
            if (_queue.IsEmpty || Interlocked.CompareExchange(ref _scheduled, 1, 0) != 0)
            {
                return;
            }
        }
    }
}
