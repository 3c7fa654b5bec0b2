using Brax.Viewer.Client;

namespace Brax.Viewer.Hubs.Fanout;

/// <summary>
/// What a waiting message weighs against a viewer's backlog bound, and which environment of a
/// batched scene it updates: a newer frame of the same environment supersedes an older one.
/// </summary>
internal readonly record struct BacklogTag(int Size, int Env)
{
    /// <summary>Messages that are not frames are never superseded.</summary>
    private const int NotAFrame = int.MinValue;

    /// <summary>Frames without <c>env_id</c> all update the one environment.</summary>
    private const int SingleEnv = -1;

    public static BacklogTag Of(object?[] args) => args is [Frame frame] ? Of(frame) : new(0, NotAFrame);

    public static BacklogTag Of(Frame frame) => new(frame.Utf8Json.Length, frame.EnvId ?? SingleEnv);

    /// <summary>Whether the message is a frame (every frame updates one environment).</summary>
    public bool IsFrame => Env != NotAFrame;

    public bool Supersedes(BacklogTag older) => Env != NotAFrame && Env == older.Env;
}
