namespace Brax.Viewer.Hubs.State;

/// <summary>A validated scene: the system JSON exactly as uploaded and what the page needs to lay it out.</summary>
/// <param name="Json">The system JSON bytes as uploaded (UTF-8); served back unchanged.</param>
/// <param name="Info">Facts about the scene found at validation, served to the page beside it.</param>
public sealed record StoredScene(ReadOnlyMemory<byte> Json, SceneInfo Info);
