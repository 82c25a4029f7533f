using Atlas.Core.Data;
using Atlas.Storage.Manifests;

namespace Atlas.Grains.Execution;

/// <summary>
/// Names each example image's file, relative to the data set's folder: "image 60" alone left a reader with no way to
/// find a mislabelled or surprising image among their own files. Image folders only (cached or not); other kinds have no files.
/// </summary>
public static class ExampleFiles
{
    public static IReadOnlyList<LayerManifest> Name(IReadOnlyList<LayerManifest> layers, IImageDataset data, string datasetPath)
    {
        if (data is not IFileDataset folder) return layers;
        IReadOnlyList<ExampleRef> Named(IReadOnlyList<ExampleRef> examples) =>
            examples.Select(e => e.ImageIndex >= 0 && e.ImageIndex < data.Count ? e with { File = DatasetFiles.Shown(datasetPath, folder.FileOf(e.ImageIndex)) } : e).ToList();
        return layers.Select(layer => layer with
        {
            Units = layer.Units.Select(unit => unit with { TopExamples = Named(unit.TopExamples), BottomExamples = Named(unit.BottomExamples) }).ToList(),
        }).ToList();
    }
}
