namespace Brax.Viewer.Hubs.Runs;

/// <summary>What a history holds.</summary>
/// <param name="Frames">Frames held.</param>
/// <param name="Bytes">UTF-8 JSON bytes of those frames.</param>
public readonly record struct FrameHistorySize(int Frames, long Bytes);
