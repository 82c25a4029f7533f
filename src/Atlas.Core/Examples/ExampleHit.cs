namespace Atlas.Core.Examples;

/// <summary>One image's response for one unit: the maximum over positions and where it was.</summary>
public sealed record ExampleHit(int Image, float Value, int Y, int X, int Label)
{
    /// <summary>Best first; ties broken by image index, so every merge order gives the same list.</summary>
    public static int CompareBestFirst(ExampleHit a, ExampleHit b)
    {
        int byValue = b.Value.CompareTo(a.Value);
        return byValue != 0 ? byValue : a.Image.CompareTo(b.Image);
    }
}
