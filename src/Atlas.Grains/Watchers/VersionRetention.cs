using Atlas.Storage;
using Atlas.Storage.Manifests;

namespace Atlas.Grains.Watchers;

/// <summary>
/// Keeps the newest N finished versions of an atlas (by manifest date) and deletes every key of the
/// older ones. A version's <see cref="WatchKeys.Retired"/> marker is written first, so a deletion cut short
/// (a stopped process, a storage outage) leaves a version a watcher knows not to compute again rather than one
/// that looks like an interrupted job, which it would resume from what was left of it. The manifest goes next,
/// so a site built meanwhile never lists a half-deleted version; then the work records, which name the pictures,
/// and the pictures last. A version still being computed has no manifest and is never touched. What stays of a
/// deleted version is its marker.
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
            var marker = new WatchKeys(atlas, old.Version).Retired;
            await store.PutJsonAsync(marker, new RetiredWork(DateTimeOffset.UtcNow, keep), cancellationToken);
            await store.DeleteAsync(keys.Manifest, cancellationToken);
            var rest = new List<string>();
            await foreach (var key in store.ListAsync(keys.Root + "/", cancellationToken))
            {
                if (key != marker) rest.Add(key);
            }
            var work = keys.Root + "/work/";
            foreach (var key in rest.OrderBy(k => k.StartsWith(work, StringComparison.Ordinal) ? 0 : 1)) await store.DeleteAsync(key, cancellationToken);
            deleted.Add(old.Version);
        }
        return deleted;
    }
}
