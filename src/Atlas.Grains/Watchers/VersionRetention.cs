using Atlas.Storage;
using Atlas.Storage.Manifests;

namespace Atlas.Grains.Watchers;

/// <summary>
/// Keeps the newest N finished versions of an atlas (by manifest date) and deletes every key of the
/// older ones. A version's <see cref="WatchKeys.Retired"/> marker is written first, so a deletion cut short
/// (a stopped process, a storage outage) leaves a version a watcher knows not to compute again rather than one
/// that looks like an interrupted job, which it would resume from what was left of it; the next pass finishes it.
/// The manifest goes next, so a site built meanwhile never lists a half-deleted version; then the work records,
/// which name the pictures, and the pictures last. A version still being computed has no manifest and is never
/// touched, and one computed again after its retirement lost its marker when it started (<see cref="Jobs.RunResumption"/>).
/// What stays of a deleted version is its marker.
/// </summary>
public static class VersionRetention
{
    /// <returns>The versions deleted, a deletion cut short before included.</returns>
    public static async Task<IReadOnlyList<string>> ApplyAsync(IArtifactStore store, string atlas, int keep, CancellationToken cancellationToken)
    {
        var deleted = new List<string>();
        foreach (var version in await CutShortAsync(store, atlas, cancellationToken))
        {
            await DeleteAllButMarkerAsync(store, atlas, version, cancellationToken);
            deleted.Add(version);
        }
        var versions = await StoreVersions.RefsAsync(store, atlas, cancellationToken);
        foreach (var old in versions.Skip(keep))
        {
            await store.PutJsonAsync(new WatchKeys(atlas, old.Version).Retired, new RetiredWork(DateTimeOffset.UtcNow, keep), cancellationToken);
            await DeleteAllButMarkerAsync(store, atlas, old.Version, cancellationToken);
            deleted.Add(old.Version);
        }
        return deleted;
    }

    /// <summary>Versions marked retired that still hold keys besides the marker: deletions that did not finish.</summary>
    private static async Task<IReadOnlyList<string>> CutShortAsync(IArtifactStore store, string atlas, CancellationToken cancellationToken)
    {
        var marked = new HashSet<string>(StringComparer.Ordinal);
        var holding = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var key in store.ListAsync(WatchKeys.AtlasPrefix(atlas), cancellationToken))
        {
            var version = key.Split('/')[1];
            if (key == new WatchKeys(atlas, version).Retired) marked.Add(version);
            else holding.Add(version);
        }
        return marked.Intersect(holding).Order(StringComparer.Ordinal).ToList();
    }

    private static async Task DeleteAllButMarkerAsync(IArtifactStore store, string atlas, string version, CancellationToken cancellationToken)
    {
        var keys = new AtlasKeys(atlas, version);
        var marker = new WatchKeys(atlas, version).Retired;
        await store.DeleteAsync(keys.Manifest, cancellationToken);
        var rest = new List<string>();
        await foreach (var key in store.ListAsync(keys.Root + "/", cancellationToken))
        {
            if (key != marker) rest.Add(key);
        }
        var work = keys.Root + "/work/";
        foreach (var key in rest.OrderBy(k => k.StartsWith(work, StringComparison.Ordinal) ? 0 : 1)) await store.DeleteAsync(key, cancellationToken);
    }
}
