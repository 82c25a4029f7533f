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
        for (var at = full; !string.IsNullOrEmpty(at); at = Path.GetDirectoryName(at))
        {
            if (Directory.Exists(at)) return;
            if (File.Exists(at))
                throw new AtlasInputException(at == full
                    ? $"{field}: '{folder}' is a file, not a folder"
                    : $"{field}: '{folder}' lies under '{at}', which is a file");
        }
    }

    /// <summary>The config's site folder, its store when that is a folder, and its watched folder.</summary>
    public static void EnsureConfigOutputs(AtlasConfig config)
    {
        EnsureCanBeFolder(config.Output.Site, "output.site");
        if (!config.Output.Store.Contains("://", StringComparison.Ordinal)) EnsureCanBeFolder(config.Output.Store, "output.store");
        else if (FileUris.IsFileUri(config.Output.Store)) EnsureCanBeFolder(FileFolder(config.Output.Store, "output.store"), "output.store");
        // A watched folder may not exist yet (the trainer makes it), but a file there is a mistake.
        if (config.Watch?.Source is { } source && Grains.Watchers.CheckpointSources.FolderOf(source) is { } watched) EnsureCanBeFolder(watched, "watch.source");
    }

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
