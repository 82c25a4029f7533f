using Atlas.Storage;
using Atlas.Storage.Manifests;

namespace Atlas.Grains.Watchers;

/// <summary>
/// Keeps the newest N finished versions of an atlas (by manifest date) and deletes every key of the
/// older ones. A version's manifest goes first, so a site built meanwhile never lists a half-deleted
/// version; a version still being computed has no manifest and is never touched. What stays of a deleted
/// version is its <see cref="WatchKeys.Retired"/> marker.
/// </summary>
public static class VersionRetention
{
    /// <returns>The versions deleted.</returns>
    public static async Task<IReadOnlyList<string>> ApplyAsync(IArtifactStore store, string atlas, int keep, CancellationToken cancellationToken)
    {
        var versions = await StoreVersions.RefsAsync(store, atlas, cancellationToken);
        var deleted = new List<string>();
        foreach (var old in versions.Skip(keep))
        {
            var keys = new AtlasKeys(atlas, old.Version);
            await store.DeleteAsync(keys.Manifest, cancellationToken);
            var rest = new List<string>();
            await foreach (var key in store.ListAsync(keys.Root + "/", cancellationToken)) rest.Add(key);
            foreach (var key in rest) await store.DeleteAsync(key, cancellationToken);
            await store.PutJsonAsync(new WatchKeys(atlas, old.Version).Retired, new RetiredWork(DateTimeOffset.UtcNow, keep), cancellationToken);
            deleted.Add(old.Version);
        }
        return deleted;
    }
}
