namespace Atlas.Core.Data;

/// <summary>A data set whose images are files a reader can find (an image folder, cached or not).</summary>
public interface IFileDataset
{
    /// <summary>The file behind image <paramref name="index"/>.</summary>
    string FileOf(int index);
}

/// <summary>How a data set's files are shown to its user.</summary>
public static class DatasetFiles
{
    /// <summary>The file's path relative to dataset.path, as its user finds it; the full path when it lies outside.</summary>
    public static string Shown(string datasetPath, string file)
    {
        var full = Path.GetFullPath(file);
        var relative = Path.GetRelativePath(Path.GetFullPath(datasetPath), full);
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? full : relative;
    }
}
