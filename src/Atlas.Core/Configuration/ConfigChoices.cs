namespace Atlas.Core.Configuration;

/// <summary>
/// The words each config field that takes one of a few accepts: validation refuses any other, naming these, and loading
/// matches them without regard to case, as field names are matched ("heatmaps": "All"). The word's own spelling is kept,
/// so that the code that reads the field and the config digest see one spelling of it; a word that is none of them is
/// left as written for validation to refuse.
/// </summary>
internal static class ConfigChoices
{
    public static readonly string[] DatasetKinds = ["fashion-mnist", "idx", "image-folder"];
    public static readonly string[] Splits = ["train", "test"];
    public static readonly string[] MemoryFormats = ["auto", "contiguous", "channelsLast"];
    public static readonly string[] MaxPoolBackwards = ["auto", "native", "scatter"];
    public static readonly string[] BranchConvolutions = ["auto", "merged", "separate"];
    public static readonly string[] InputConvolutions = ["auto", "native", "spaceToDepth"];
    public static readonly string[] Parameterizations = ["fourier", "pixel"];
    public static readonly string[] RenderPrecisions = ["auto", "float32", "bfloat16"];
    public static readonly string[] ScanPrecisions = ["auto", "float32", "float16", "bfloat16"];
    public static readonly string[] Heatmaps = ["classes", "all", "none"];

    /// <summary>"a, b or c", as an error names the choices.</summary>
    public static string Listed(IReadOnlyList<string> choices) =>
        choices.Count == 1 ? choices[0] : $"{string.Join(", ", choices.Take(choices.Count - 1))} or {choices[^1]}";

    public static AtlasConfig Canonical(AtlasConfig c) => c with
    {
        Dataset = c.Dataset with
        {
            Kind = Choice(c.Dataset.Kind, DatasetKinds),
            Split = Choice(c.Dataset.Split, Splits),
        },
        Model = c.Model with
        {
            MemoryFormat = Choice(c.Model.MemoryFormat, MemoryFormats),
            MaxPoolBackward = Choice(c.Model.MaxPoolBackward, MaxPoolBackwards),
            BranchConvolutions = Choice(c.Model.BranchConvolutions, BranchConvolutions),
            InputConvolution = Choice(c.Model.InputConvolution, InputConvolutions),
        },
        FeatureVis = c.FeatureVis with
        {
            Parameterization = Choice(c.FeatureVis.Parameterization, Parameterizations),
            Precision = Choice(c.FeatureVis.Precision, RenderPrecisions),
        },
        Examples = c.Examples with
        {
            Precision = Choice(c.Examples.Precision, ScanPrecisions),
            Heatmaps = Choice(c.Examples.Heatmaps, Heatmaps),
        },
    };

    private static string Choice(string value, string[] choices) =>
        choices.FirstOrDefault(choice => string.Equals(choice, value, StringComparison.OrdinalIgnoreCase)) ?? value;
}
