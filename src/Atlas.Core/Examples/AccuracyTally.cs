using Atlas.Core.Models;

namespace Atlas.Core.Examples;

/// <summary>
/// The model's top-1 hits on a dataset pass's labelled images, counted while the pass runs: a wrong normalization,
/// input size or class order leaves every picture plausible, but not this number. Unlabelled and unreadable images
/// are not counted.
/// </summary>
public sealed class AccuracyTally
{
    public int Correct { get; private set; }
    public int Images { get; private set; }

    public void Add(int correct, int images)
    {
        Correct += correct;
        Images += images;
    }

    /// <summary>
    /// Why the model's logits cannot be compared with the data set's labels, or null when they can: the labels are
    /// class indices in the data set's order (sorted folder names for an image folder, as torchvision's ImageFolder),
    /// so they only name the model's outputs when there are as many classes as outputs.
    /// </summary>
    /// <param name="logits">The model's last layer in its catalog (<see cref="LogitsOf"/>).</param>
    public static string? Unmeasurable(LayerInfo? logits, int datasetClasses)
    {
        // An IDX folder without classes.txt names its classes by their label numbers, so no names means no labels.
        if (datasetClasses == 0) return "the data set names no classes (it is unlabelled)";
        if (logits is null || logits.Kind != LayerKind.Linear) return "the model's last layer is not a classifier's logits";
        if (logits.Channels != datasetClasses)
            return $"the model has {logits.Channels:N0} classes and the data set {datasetClasses:N0}, so its labels do not name the model's outputs";
        return null;
    }

    /// <summary>The model's last layer, which the atlas takes for its logits (as the analysis does), in its catalog.</summary>
    public static LayerInfo? LogitsOf(IAtlasModel model, IReadOnlyList<LayerInfo> catalog) =>
        catalog.FirstOrDefault(l => l.Name == model.LayerNames[^1]);
}
