using System.Text.Json;
using System.Text.Json.Nodes;
using Atlas.Storage;

namespace Atlas.Grains.Watchers;

/// <summary>
/// Copies a unit manifest of one version into another: every string in it that is a key under the
/// old version's root is rewritten to the new root, and the object it names is copied there first,
/// so the copy is as self-contained as a computed manifest (retention of the old version cannot break it).
/// </summary>
public static class ArtifactCopier
{
    /// <returns>Objects copied (the manifest included), or null when the old version has no such manifest.</returns>
    public static async Task<int?> CopyManifestAsync(IArtifactStore store, string fromKey, string toKey, string fromRoot, string toRoot, CancellationToken cancellationToken)
    {
        var bytes = await store.GetAsync(fromKey, cancellationToken);
        if (bytes is null) return null;
        var node = JsonNode.Parse(bytes) ?? throw new InvalidDataException($"{fromKey} is empty");
        var referenced = new SortedSet<string>(StringComparer.Ordinal);
        node = Rewrite(node, fromRoot + "/", toRoot + "/", referenced)!;
        // Several objects in flight at once, as units write theirs (ArtifactStoreBatches): each copy is two round trips.
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = ArtifactStoreBatches.Concurrency, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(referenced, parallel, async (key, token) =>
        {
            var contentType = key.EndsWith(".png", StringComparison.Ordinal) ? "image/png" : "application/octet-stream";
            if (!await store.CopyAsync(key, toRoot + key[fromRoot.Length..], contentType, token))
                throw new InvalidDataException($"{fromKey} names {key}, which is missing; the unit is computed instead");
        });
        // The manifest goes last, as the units write theirs: once it exists, everything it names does.
        await store.PutAsync(toKey, JsonSerializer.SerializeToUtf8Bytes(node, ArtifactStoreJson.Options), "application/json", cancellationToken);
        return referenced.Count + 1;
    }

    private static JsonNode? Rewrite(JsonNode? node, string from, string to, ISet<string> referenced)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var name in obj.Select(p => p.Key).ToList()) obj[name] = Rewrite(obj[name]?.DeepClone(), from, to, referenced);
                return obj;
            case JsonArray array:
                for (int i = 0; i < array.Count; i++) array[i] = Rewrite(array[i]?.DeepClone(), from, to, referenced);
                return array;
            case JsonValue value when value.TryGetValue<string>(out var text) && text.StartsWith(from, StringComparison.Ordinal):
                referenced.Add(text);
                return JsonValue.Create(to + text[from.Length..]);
            default:
                return node;
        }
    }
}
