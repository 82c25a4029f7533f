namespace Atlas.Core.Data;

/// <summary>A data set whose images are files a reader can find (an image folder, cached or not).</summary>
public interface IFileDataset
{
    /// <summary>The file behind image <paramref name="index"/>.</summary>
    string FileOf(int index);
}
