namespace Atlas.Core.Models.Checkpoints;

/// <summary>
/// Where in a checkpoint's keys the network's own names start. Trainers save the network inside something else:
/// DataParallel as "module.", a torch.compile'd network as "_orig_mod.", a Lightning module under the attribute
/// that holds the network ("model.", "net.", "backbone."), often beside other modules' keys (a loss's class
/// weights, a teacher). The network's logits weight is the landmark: the prefix is what stands before it. A
/// prefix that lies inside another candidate is the network's own submodule (Inception v3's
/// "AuxLogits.fc.weight" ends like its "fc.weight"), not a wrapper, so it is no candidate.
/// </summary>
public static class StateDictPrefix
{
    /// <summary>
    /// The prefix to strip: "" when the logits weight is there as it is; the one wrapper before it otherwise; and,
    /// when no key ends with the logits weight, "module." if every key has it (so the missing key is named as the
    /// network names it), else "". Two wrappers that each hold a whole network (a model and its EMA copy) are
    /// ambiguous, and refused.
    /// </summary>
    public static string Find(IReadOnlyCollection<string> keys, string logitsWeightKey, string path, string architecture)
    {
        if (keys.Contains(logitsWeightKey)) return "";
        var ending = "." + logitsWeightKey;
        var candidates = keys.Where(k => k.EndsWith(ending, StringComparison.Ordinal))
            .Select(k => k[..(k.Length - logitsWeightKey.Length)])
            .Distinct(StringComparer.Ordinal)
            .ToList();
        var wrappers = candidates
            .Where(c => !candidates.Any(other => other.Length < c.Length && c.StartsWith(other, StringComparison.Ordinal)))
            .Order(StringComparer.Ordinal)
            .ToList();
        return wrappers.Count switch
        {
            1 => wrappers[0],
            0 => keys.Count > 0 && keys.All(k => k.StartsWith(DataParallel, StringComparison.Ordinal)) ? DataParallel : "",
            _ => throw new AtlasInputException(
                $"{path}: holds a {architecture} logits weight ('{logitsWeightKey}') under {wrappers.Count} prefixes ({string.Join(", ", wrappers.Select(w => $"'{w}'"))}), so which network to load is ambiguous; name one in model.keyPrefix"),
        };
    }

    /// <summary>The keys with the prefix removed; keys outside it stay as they are (the loader reports them as ignored).</summary>
    public static IReadOnlyDictionary<string, T> Strip<T>(IReadOnlyDictionary<string, T> tensors, string prefix)
    {
        if (prefix.Length == 0) return tensors;
        var stripped = new Dictionary<string, T>(StringComparer.Ordinal);
        foreach (var (key, value) in tensors.Where(p => !p.Key.StartsWith(prefix, StringComparison.Ordinal))) stripped[key] = value;
        // Inside the prefix wins a name clash: those are the network's keys.
        foreach (var (key, value) in tensors.Where(p => p.Key.StartsWith(prefix, StringComparison.Ordinal))) stripped[key[prefix.Length..]] = value;
        return stripped;
    }

    private const string DataParallel = "module.";
}
