using Atlas.Core;
using Atlas.Core.Configuration;
using Atlas.Storage;

namespace Atlas.Cli.Pipeline;

/// <summary>
/// Checks, before any work, that the folders a verb will write into can be folders: an existing file in the
/// way (the path itself, or a folder above it) would otherwise fail the verb at its end, after the job, with
/// the file system's message.
/// </summary>
public static class OutputPaths
{
    /// <summary>Throws an input error naming <paramref name="field"/> when <paramref name="folder"/> is a file or lies under one.</summary>
    public static void EnsureCanBeFolder(string folder, string field)
    {
        var full = Path.GetFullPath(folder);
        if (FileInTheWay(full) is { } at)
            throw new AtlasInputException(at == full
                ? $"{field}: '{folder}' is a file, not a folder"
                : $"{field}: '{folder}' lies under '{at}', which is a file");
    }

    /// <summary>
    /// Throws an input error naming <paramref name="field"/> when this process cannot create files in
    /// <paramref name="folder"/>, or in the nearest folder above it that exists (where it would be made): without it, a
    /// read-only or foreign folder failed the verb at its first write (a publish after the whole job) with the file
    /// system's bare "Permission denied", exit 1.
    /// </summary>
    public static void EnsureWritable(string folder, string field)
    {
        var existing = Path.GetFullPath(folder);
        while (!Directory.Exists(existing)) existing = Path.GetDirectoryName(existing) ?? "/";
        var probe = Path.Combine(existing, $".atlas-write-check-{Guid.NewGuid():N}");
        try
        {
            using (File.Create(probe, 1, FileOptions.DeleteOnClose)) { }
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            var reason = e is UnauthorizedAccessException ? "permission denied"
                : e.Message.Contains("Read-only", StringComparison.OrdinalIgnoreCase) ? "a read-only file system"
                : "the file system refused a new file there";
            throw new AtlasInputException($"{field}: cannot create files in '{existing}' ({reason})", e);
        }
    }

    /// <summary>The file that keeps the absolute path <paramref name="full"/> from being a folder (itself, or a folder above it), or null.</summary>
    public static string? FileInTheWay(string full)
    {
        for (var at = full; !string.IsNullOrEmpty(at); at = Path.GetDirectoryName(at))
        {
            if (Directory.Exists(at)) return null;
            if (File.Exists(at)) return at;
        }
        return null;
    }

    /// <summary>
    /// The config's site folder, its store when that is a folder, and its watched folder; and that the site keeps apart
    /// from them. <paramref name="fields"/> names where the site and store came from (the config, or `--out`/`--store`).
    /// </summary>
    public static void EnsureConfigOutputs(AtlasConfig config, OutputFields fields)
    {
        EnsureCanBeFolder(config.Output.Site, fields.Site);
        var store = StoreFolder(config.Output.Store, fields.Store);
        if (store is not null) EnsureCanBeFolder(store, fields.Store);
        EnsureSiteWritable(config.Output.Site, fields.Site);
        if (store is not null) EnsureWritable(store, fields.Store);
        // A watched folder may not exist yet (the trainer makes it), but a file there is a mistake.
        var watched = config.Watch?.Source is { } source ? Grains.Watchers.CheckpointSources.FolderOf(source) : null;
        if (watched is not null) EnsureCanBeFolder(watched, "watch.source");
        EnsureSiteApart(config.Output.Site, fields.Site,
            [(fields.Store, store), ("dataset.path", config.Dataset.Path), ("model.checkpoint", config.Watch is null ? config.Model.Checkpoint : null), ("watch.source", watched)]);
    }

    /// <summary>A publish writes beside the site folder (its lock, then a hidden copy renamed into place), so that is where it must be able to write.</summary>
    public static void EnsureSiteWritable(string site, string field) =>
        EnsureWritable(Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(site))) ?? "/", field);

    /// <summary>The folder a store location names (a path or file:/// address), or null for blob storage.</summary>
    public static string? StoreFolder(string location, string field) =>
        !location.Contains("://", StringComparison.Ordinal) ? location
        : FileUris.IsFileUri(location) ? FileFolder(location, field)
        : null;

    /// <summary>
    /// Every publish replaces the site folder whole, so a store, data set, checkpoint or watched folder inside it would
    /// be deleted (a store was, with exit 0); and a site inside the store or the data set would be read back by them,
    /// as stray artifacts or as one more class of images. Either way round is refused before any work.
    /// </summary>
    public static void EnsureSiteApart(string site, string siteField, IEnumerable<(string Field, string? Path)> others)
    {
        var siteFull = Full(site);
        foreach (var (field, path) in others)
        {
            if (path is null) continue;
            var full = Full(path);
            if (IsWithin(full, siteFull))
                throw new AtlasInputException($"{field}: '{path}' lies in the site folder '{site}' ({siteField}), which every publish replaces whole; keep the two apart");
            if (field is "output.store" or "--store" or "dataset.path" && IsWithin(siteFull, full))
                throw new AtlasInputException($"{siteField}: the site folder '{site}' lies in {field} '{path}', which would read the site back as its own; keep the two apart");
        }
    }

    private static string Full(string path) => Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));

    private static bool IsWithin(string path, string folder) =>
        path == folder || path.StartsWith(Path.EndsInDirectorySeparator(folder) ? folder : folder + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    /// <summary>The folder a file:// address names, or an input error naming the field.</summary>
    public static string FileFolder(string location, string field)
    {
        try
        {
            return FileUris.LocalPath(location);
        }
        catch (ArgumentException e)
        {
            throw new AtlasInputException($"{field}: {e.Message}");
        }
    }
}
