using System.Globalization;
using Atlas.Storage.Manifests;

namespace Atlas.Site.Html;

/// <summary>How manifest values read on a page (plain text; callers encode it).</summary>
internal static class Format
{
    public static string Number(double value) => value.ToString("G4", CultureInfo.InvariantCulture);

    public static string Shape(LayerManifest layer) =>
        string.Create(CultureInfo.InvariantCulture, $"{layer.Channels}×{layer.Height}×{layer.Width}");

    public static string InputShape(ModelInfo model) =>
        string.Create(CultureInfo.InvariantCulture, $"{model.InputChannels}×{model.InputHeight}×{model.InputWidth}");

    public static string ShortHash(string sha256) => sha256.Length > 12 ? sha256[..12] : sha256;

    public static string Date(DateTimeOffset at) => at.ToUniversalTime().ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    public static string IsoDate(DateTimeOffset at) => at.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    /// <summary>Accuracy as a percentage; a value above 1 is taken to be a percentage already.</summary>
    public static string Accuracy(double accuracy) => accuracy <= 1
        ? accuracy.ToString("P2", CultureInfo.InvariantCulture)
        : string.Create(CultureInfo.InvariantCulture, $"{accuracy:0.##} %");

    /// <summary>"7", or "7 · seven" for a unit with a class label.</summary>
    public static string UnitName(UnitManifest unit) =>
        unit.Label is null ? unit.Index.ToString(CultureInfo.InvariantCulture) : string.Create(CultureInfo.InvariantCulture, $"{unit.Index} · {unit.Label}");

    /// <summary>The dataset's name for a class index, or the index itself when the dataset names no such class.</summary>
    public static string ClassName(DatasetInfo dataset, int label) =>
        label >= 0 && label < dataset.ClassNames.Count ? dataset.ClassNames[label] : label.ToString(CultureInfo.InvariantCulture);

    public static string Recipe(RecipeInfo r) => string.Create(CultureInfo.InvariantCulture,
        $"{r.Parameterization}, {r.Steps} steps, learning rate {Number(r.LearningRate)}, seed {r.Seed}, {r.ImageSize}×{r.ImageSize} px, transforms: {r.Transforms}");
}
