using System.Text.RegularExpressions;

namespace Atlas.Storage;

/// <summary>
/// Keys are relative, '/'-separated paths made of safe segments, so no key can escape its folder
/// in a local store or a published site, whatever a config or checkpoint put into a name.
/// </summary>
public static partial class ArtifactKey
{
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]*$")]
    private static partial Regex SafeSegment();

    /// <summary>Throws <see cref="ArgumentException"/> naming the key and the problem when it is unsafe.</summary>
    public static string Validate(string key)
    {
        if (string.IsNullOrEmpty(key)) throw new ArgumentException("artifact key is empty");
        if (key.Length > 512) throw new ArgumentException($"artifact key '{key[..64]}…' is longer than 512 characters");
        foreach (var segment in key.Split('/'))
        {
            if (segment.Length == 0) throw new ArgumentException($"artifact key '{key}' has an empty segment or is absolute");
            if (segment is "." or "..") throw new ArgumentException($"artifact key '{key}' contains '{segment}'");
            if (!SafeSegment().IsMatch(segment)) throw new ArgumentException($"artifact key '{key}' has an unsafe segment '{segment}'");
        }
        return key;
    }

    /// <summary>Validates a prefix for listing: empty, or a valid key followed by '/'.</summary>
    public static string ValidatePrefix(string prefix)
    {
        if (prefix.Length == 0) return prefix;
        // Strip exactly one trailing '/': "a//" must fail like the key "a/" does.
        Validate(prefix.EndsWith('/') ? prefix[..^1] : prefix);
        return prefix;
    }

    /// <summary>Turns any name (a layer, a class, an atlas title) into one safe key segment.</summary>
    public static string Segment(string name)
    {
        var chars = name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' ? c : '_').ToArray();
        var s = new string(chars).Trim('.');
        if (s.Length == 0 || !char.IsAsciiLetterOrDigit(s[0])) s = "x" + s;
        return s.Length > 100 ? s[..100] : s;
    }

    public static string Join(params string[] segments) => Validate(string.Join('/', segments));
}
