namespace Atlas.Core.Data;

/// <summary>
/// Before a job starts: a few images spread over the data set are decoded, and if none of them can be read
/// the data set is refused (all HEIC files named .jpg, a folder of empty downloads…). Single unreadable files
/// stay what they are in the pass itself, skipped with a warning; an atlas with no dataset examples at all
/// would be published without a word otherwise.
/// </summary>
public static class DatasetReadability
{
    public const int Sampled = 16;

    public static void EnsureSomeReadable(IImageDataset data)
    {
        if (data.Count == 0) return;
        int n = Math.Min(Sampled, data.Count);
        for (int i = 0; i < n; i++)
        {
            int index = (int)((long)i * data.Count / n);
            if (!data.Read(index, 1).IsSkipped(0)) return;
        }
        var first = data.SkippedImages.FirstOrDefault();
        var example = first is null ? "" : $"; the first, {first.Path}: {first.Reason}";
        throw new AtlasInputException($"dataset.path: none of {n} images taken across the data set could be read{example}");
    }
}
