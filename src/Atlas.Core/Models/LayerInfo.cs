namespace Atlas.Core.Models;

public enum LayerKind { Conv, Linear }

/// <summary>One atlas layer as measured by a dry forward pass: units are channels (or logits).</summary>
public sealed record LayerInfo(string Name, LayerKind Kind, int Channels, int Height, int Width)
{
    public bool IsSpatial => Kind == LayerKind.Conv;
}
