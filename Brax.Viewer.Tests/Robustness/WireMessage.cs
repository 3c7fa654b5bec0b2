using System.Net.WebSockets;

namespace Brax.Viewer.Tests.Robustness;

/// <summary>
/// One WebSocket message a fuzzing client sends: its bytes, text or binary, in one frame or cut
/// into several (<see cref="Cuts"/>: the offsets where a new frame starts, so a cut may split a
/// UTF-8 sequence or a JSON token).
/// </summary>
public sealed record WireMessage(FuzzCase Case, WebSocketMessageType Type, int[] Cuts)
{
    public byte[] Bytes => Case.Bytes;

    public async Task SendAsync(WebSocket socket)
    {
        var start = 0;
        foreach (var cut in Cuts.Where(cut => cut > 0 && cut < Bytes.Length).Distinct().Order())
        {
            await socket.SendAsync(Bytes.AsMemory(start, cut - start), Type, endOfMessage: false, CancellationToken.None);
            start = cut;
        }

        await socket.SendAsync(Bytes.AsMemory(start), Type, endOfMessage: true, CancellationToken.None);
    }

    public override string ToString() => $"{Type}{(Cuts.Length > 0 ? $" in {Cuts.Length + 1} frames" : string.Empty)}: {Case}";
}
