using System.Globalization;
using Atlas.Storage.Manifests;

namespace Atlas.Site.Html;

/// <summary>How manifest values read on a page (plain text; callers encode it).</summary>
internal static class Format
{
    public static string Number(double value) => value.ToString("G4", CultureInfo.InvariantCulture);

    /// <summary>A number for a data-* attribute the page's script sorts by (round-trip, invariant).</summary>
    public static string Data(double value) => double.IsFinite(value) ? value.ToString("R", CultureInfo.InvariantCulture) : "";

    /// <summary>A weight with its sign always shown, so inhibitory links read as such.</summary>
    public static string Signed(double value) => (value >= 0 ? "+" : "−") + Math.Abs(value).ToString("G3", CultureInfo.InvariantCulture);

    /// <summary>A count with thousands separators, the same on every machine: "10,000".</summary>
    public static string Count(int value) => value.ToString("N0", CultureInfo.InvariantCulture);

    public static string Percent(double fraction) => fraction.ToString("P1", CultureInfo.InvariantCulture);

    public static string Shape(LayerManifest layer) =>
        string.Create(CultureInfo.InvariantCulture, $"{layer.Channels}×{layer.Height}×{layer.Width}");

    public static string InputShape(ModelInfo model) =>
        string.Create(CultureInfo.InvariantCulture, $"{model.InputChannels}×{model.InputHeight}×{model.InputWidth}");

    /// <summary>
    /// "test, 10,000 images": the split where the data set has one (an image folder has none) and its name does not
    /// already end in it (Fashion-MNIST's is "Fashion-MNIST (test)"), then the count of images the atlas saw: unreadable
    /// files are left out of the examples, so they are left out of the count too, and said beside it.
    /// </summary>
    public static string DatasetSize(DatasetInfo dataset)
    {
        var named = dataset.Name.EndsWith($"({dataset.Split})", StringComparison.OrdinalIgnoreCase);
        var unreadable = dataset.Unreadable?.Count ?? 0;
        var size = unreadable == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{dataset.Count:N0} images")
            : string.Create(CultureInfo.InvariantCulture, $"{dataset.Count - unreadable:N0} images, of {dataset.Count:N0} files: {unreadable:N0} unreadable");
        return $"{(dataset.Split.Length > 0 && !named ? $"{dataset.Split}, " : "")}{size}";
    }

    public static string ShortHash(string sha256) => sha256.Length > 12 ? sha256[..12] : sha256;

    public static string Date(DateTimeOffset at) => at.ToUniversalTime().ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    public static string Day(DateTimeOffset at) => at.ToUniversalTime().ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static string IsoDate(DateTimeOffset at) => at.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    /// <summary>Accuracy as a percentage; a value above 1 is taken to be a percentage already.</summary>
    public static string Accuracy(double accuracy) => accuracy <= 1
        ? accuracy.ToString("P2", CultureInfo.InvariantCulture)
        : string.Create(CultureInfo.InvariantCulture, $"{accuracy:0.##} %");

    /// <summary>"89.3 %" for the model's accuracy on the atlas's data set, or null when it was not measured.</summary>
    public static string? DatasetAccuracy(DatasetAccuracy accuracy) => accuracy.Fraction() is { } fraction
        ? string.Create(CultureInfo.InvariantCulture, $"{fraction * 100:0.0} %")
        : null;

    /// <summary>"7", or "7 · seven" for a unit with a class label.</summary>
    public static string UnitName(UnitManifest unit) =>
        unit.Label is null ? unit.Index.ToString(CultureInfo.InvariantCulture) : string.Create(CultureInfo.InvariantCulture, $"{unit.Index} · {unit.Label}");

    /// <summary>"conv2:5", the form the search box takes.</summary>
    public static string UnitRef(string layer, int unit) => string.Create(CultureInfo.InvariantCulture, $"{layer}:{unit}");

    /// <summary>The dataset's name for a class index, or the index itself when the dataset names no such class.</summary>
    public static string ClassName(DatasetInfo dataset, int label) =>
        label >= 0 && label < dataset.ClassNames.Count ? dataset.ClassNames[label] : label.ToString(CultureInfo.InvariantCulture);

    /// <summary>The top example's value: the most the unit was driven by any dataset image, or null without examples.</summary>
    public static double? MaxActivation(UnitManifest unit) => unit.TopExamples.Count == 0 ? null : unit.TopExamples.Max(e => (double)e.Value);

    public static string Recipe(RecipeInfo r) => string.Create(CultureInfo.InvariantCulture,
        $"{r.Parameterization}, {r.Steps} steps, learning rate {Number(r.LearningRate)}, seed {r.Seed}, {r.ImageSize}×{r.ImageSize} px, transforms: {r.Transforms}");

    /// <summary>
    /// How to read a first layer's filter picture: the analysis draws one tile a filter in unit order, in rows of
    /// ⌈√channels⌉, on one scale centred on mid-grey (see Atlas.Core's FilterImages); grayscale or RGB as the input is.
    /// </summary>
    public static string FilterLegend(LayerManifest layer, ModelInfo model)
    {
        var columns = Math.Max(1, (int)Math.Ceiling(Math.Sqrt(layer.Channels)));
        var colour = model.InputChannels switch
        {
            1 => "mid-grey is a weight of 0, lighter positive, darker negative",
            3 => "mid-grey is a weight of 0; each colour channel is its weight on that input colour, brighter positive, darker negative",
            _ => "each tile is the mean over input channels: mid-grey is 0, lighter positive, darker negative",
        };
        return string.Create(CultureInfo.InvariantCulture,
            $"One tile a unit, in unit order: unit 0 top left, then left to right, {columns} to a row (unit {columns} starts the second). Its weights on the input image: {colour}, on one scale shared by all {layer.Channels} filters.");
    }

    /// <summary>"Channel", "Negative", "Neuron", "Diversity 2" for the manifest's visualization kinds.</summary>
    public static string VisKind(string kind)
    {
        if (kind.StartsWith("diversity-", StringComparison.Ordinal)) return $"Diversity {kind["diversity-".Length..]}";
        return kind.Length == 0 ? "Visualization" : char.ToUpperInvariant(kind[0]) + kind[1..];
    }
}
