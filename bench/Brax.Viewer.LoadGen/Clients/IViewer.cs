using Brax.Viewer.LoadGen.Metrics;

namespace Brax.Viewer.LoadGen.Clients;

/// <summary>The kinds of viewer the server serves.</summary>
internal enum ViewerKind
{
    Raw,
    SignalRJson,
    SignalRMessagePack,
}

/// <summary>One connected viewer that records what it receives.</summary>
internal interface IViewer : IAsyncDisposable
{
    ViewerKind Kind { get; }

    ViewerStats Stats { get; }

    /// <summary>Whether the connection is still open.</summary>
    bool IsOpen { get; }

    /// <summary>Stops reading (the socket stays open, so the server's send buffers fill): a stalled viewer.</summary>
    void Stall();
}
