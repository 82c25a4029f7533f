using Atlas.Core.Configuration;

namespace Atlas.Core.Models.TorchScript;

/// <summary>
/// The config side of a TorchScript model (<c>model.architecture: "torchscript"</c>): a network the atlas
/// cannot build itself, so its input convention and layer names come from the config instead of the zoo.
/// </summary>
public static class TorchScriptInput
{
    public const string ArchitectureName = "torchscript";
    public const int DefaultChannels = 3;

    public static bool Is(string? architecture) => string.Equals(architecture, ArchitectureName, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The input the config describes: model.inputSize square, model.inputChannels, and model.mean/std applied
    /// to [0,1] pixels (none when absent, so a module that normalizes inside itself gets the pixels as they are).
    /// </summary>
    public static InputSpec For(ModelConfig model)
    {
        int side = model.InputSize ?? throw new AtlasInputException("model.inputSize: is required for a torchscript model (the side of the square images it takes)");
        int channels = model.InputChannels ?? DefaultChannels;
        return new InputSpec(channels, side, side,
            model.Mean ?? Enumerable.Repeat(0f, channels).ToArray(),
            model.Std ?? Enumerable.Repeat(1f, channels).ToArray());
    }

    /// <summary>The outputs that are atlas layers: all of model.outputs but those that hold another layer's pre-activation.</summary>
    public static IReadOnlyList<string> LayerNames(ModelConfig model) => LayerNames(model.Outputs ?? [], model.PreActivations);

    public static IReadOnlyList<string> LayerNames(IReadOnlyList<string> outputs, IReadOnlyDictionary<string, string>? preActivations)
    {
        var before = (preActivations ?? new Dictionary<string, string>()).Values.ToHashSet(StringComparer.Ordinal);
        return outputs.Where(name => !before.Contains(name)).ToList();
    }

    /// <summary>
    /// What an output name may be: it names artifacts in the store and pages of the site, so it is kept to the
    /// characters a key segment allows as they are (two names must never map to the same segment).
    /// </summary>
    public static bool IsValidOutputName(string name) =>
        name.Length is > 0 and <= 100 && char.IsAsciiLetterOrDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.');
}
