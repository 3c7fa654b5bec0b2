using Microsoft.AspNetCore.SignalR;

namespace Brax.Viewer.Hubs.Fanout;

/// <summary>One frame for one lane of a group, as its members were when the frame was published.</summary>
internal readonly record struct Delivery(ViewerMailbox[] Members, SerializedHubMessage Message, BacklogTag Tag, IReadOnlyList<string>? Excluded)
{
    public void Offer()
    {
        foreach (var viewer in Members)
        {
            if (Excluded is null || !Excluded.Contains(viewer.Connection.ConnectionId))
            {
                viewer.Offer(Message, Tag);
            }
        }
    }
}
