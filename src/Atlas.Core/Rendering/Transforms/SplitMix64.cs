namespace Atlas.Core.Rendering;

/// <summary>
/// A tiny, fully specified random generator (SplitMix64). The transforms draw from it rather than
/// System.Random so a picture's transform sequence is defined by this code alone, on every runtime.
/// </summary>
public sealed class SplitMix64(ulong seed)
{
    private ulong state = seed;

    public ulong Next()
    {
        ulong z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, count).</summary>
    public int Below(int count) => count <= 1 ? 0 : (int)(Next() % (ulong)count);

    public T Pick<T>(IReadOnlyList<T> items) => items[Below(items.Count)];

    /// <summary>A stable 64-bit hash (FNV-1a) of text, for deriving seeds from names.</summary>
    public static ulong Hash(string text)
    {
        ulong hash = 14695981039346656037UL;
        foreach (var b in System.Text.Encoding.UTF8.GetBytes(text))
        {
            hash ^= b;
            hash *= 1099511628211UL;
        }
        return hash;
    }
}
