using Atlas.Core.Models.TorchScript;

namespace Atlas.Core.Configuration;

/// <summary>
/// The model section of a config for a TorchScript network, which the config alone describes: its input size,
/// channels and normalization, the names of its forward's outputs, and which of those hold another's value before
/// its ReLU. Each rule reports through the loader's <c>require(ok, field, problem)</c>.
/// </summary>
internal static class TorchScriptModelRules
{
    public static void Check(AtlasConfig c, Action<bool, string, string> require)
    {
        var model = c.Model;
        require(model.InputSize is not null, "model.inputSize", "is required for a torchscript model (the side of the square images it takes)");
        require(model.InputChannels is null or 1 or 3, "model.inputChannels", "must be 1 or 3");
        int channels = model.InputChannels ?? TorchScriptInput.DefaultChannels;
        require(c.Dataset.Channels is null || c.Dataset.Channels == channels, "dataset.channels",
            $"the torchscript model takes {channels}-channel images (model.inputChannels), not {c.Dataset.Channels}");
        require(model.Outputs is { Count: > 0 }, "model.outputs", "is required for a torchscript model: the names of the tensors its forward returns, in order");
        var outputs = model.Outputs!;
        foreach (var name in outputs)
            require(TorchScriptInput.IsValidOutputName(name), "model.outputs", $"'{name}' is not a usable layer name (letters, digits, '_', '-' or '.', starting with a letter or digit, at most 100)");
        var repeated = outputs.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        require(repeated is null, "model.outputs", $"'{repeated?.Key}' is named twice");
        NormalizationRules.Check(model, channels, require);

        var preActivations = model.PreActivations ?? new Dictionary<string, string>();
        foreach (var (layer, before) in preActivations)
        {
            require(outputs.Contains(layer), "model.preActivations", $"'{layer}' is not one of model.outputs");
            require(outputs.Contains(before), "model.preActivations", $"'{before}' (the value before '{layer}') is not one of model.outputs");
            require(before != layer && !preActivations.ContainsKey(before), "model.preActivations", $"'{before}' cannot be both a layer and the value before one");
        }
        var shared = preActivations.Values.GroupBy(v => v, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        require(shared is null, "model.preActivations", $"'{shared?.Key}' is the value before more than one layer");
        require(TorchScriptInput.LayerNames(model).Count > 0, "model.preActivations", "leaves no output to be a layer");
    }
}
