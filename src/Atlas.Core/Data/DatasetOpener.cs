using Atlas.Core.Configuration;

namespace Atlas.Core.Data;

/// <summary>Opens the dataset a config names; a missing folder or file is an input error naming it.</summary>
public static class DatasetOpener
{
    public static IImageDataset Open(DatasetConfig config, string? split = null)
    {
        split ??= config.Split;
        if (!Directory.Exists(config.Path)) throw new AtlasInputException($"dataset.path: data folder '{config.Path}' not found");
        return config.Kind switch
        {
            "fashion-mnist" => FashionMnist.Open(config.Path, split, config.Limit),
            _ => new IdxDataset(Path.GetFileName(config.Path), FashionMnist.ImagesFile(config.Path, split),
                FashionMnist.LabelsFile(config.Path, split) is var labels && File.Exists(labels) ? labels : null,
                ReadClassNames(config.Path), config.Limit),
        };
    }

    /// <summary>Optional classes.txt beside IDX files: one class name per line, in label order.</summary>
    private static IReadOnlyList<string> ReadClassNames(string folder)
    {
        var file = Path.Combine(folder, "classes.txt");
        return File.Exists(file) ? File.ReadAllLines(file).Where(l => l.Length > 0).ToList() : [];
    }
}
