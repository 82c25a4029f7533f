namespace Atlas.Storage.Manifests;

/// <summary>
/// The finished atlas versions in a store: those with a manifest and no <see cref="AtlasKeys.Retired"/> marker. One
/// listing for the site, `publish --atlas` and the watcher's version lists, so none of them takes a version that
/// retention has begun deleting (its manifest goes right after the marker is written; a process stopped between the
/// two left both) for a finished one.
/// </summary>
public static class StoreAtlases
{
    /// <summary>The manifest keys of finished versions under <paramref name="prefix"/> ("" for the whole store), in listing order.</summary>
    public static async Task<IReadOnlyList<string>> ManifestKeysAsync(IArtifactStore store, string prefix, CancellationToken cancellationToken)
    {
        var manifests = new List<string>();
        var retired = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var key in store.ListAsync(prefix, cancellationToken))
        {
            if (AtlasKeys.IsManifestKey(key)) manifests.Add(key);
            else if (AtlasKeys.IsRetiredKey(key)) retired.Add(AtlasKeys.RootOf(key));
        }
        return manifests.Where(key => !retired.Contains(AtlasKeys.RootOf(key))).ToList();
    }

    /// <summary>Whether the store holds this version finished: its manifest, and no retired marker beside it.</summary>
    public static async Task<bool> IsFinishedAsync(IArtifactStore store, AtlasKeys keys, CancellationToken cancellationToken) =>
        await store.ExistsAsync(keys.Manifest, cancellationToken) && !await store.ExistsAsync(keys.Retired, cancellationToken);
}
