using static TorchSharp.torch;

namespace Atlas.Core.Models;

/// <summary>
/// Checks before a job is planned that the network takes inputs of a configured size (featureVis.imageSize,
/// dataset.imageSize) through the layers that will see them. A size it cannot take (a fixed-size linear layer after
/// the convolutions) would otherwise fail every unit that reaches that layer at run time, three times each.
/// </summary>
public static class InputSizeCheck
{
    /// <summary>Both sizes a config sets: the pictures' (through the atlas layers) and the dataset images' (through the whole network).</summary>
    public static void Ensure(IAtlasModel model, IReadOnlyList<LayerInfo> layers, Configuration.AtlasConfig config)
    {
        Ensure(model, layers, config.FeatureVis.ImageSize, "featureVis.imageSize");
        Ensure(model, layers, config.Dataset.ImageSize, "dataset.imageSize", throughLogits: true);
    }

    /// <param name="field">The config field that set <paramref name="size"/>, for the message.</param>
    /// <param name="throughLogits">
    /// Also run the whole network: dataset images reach the logits (each example's top classes), whatever the atlas
    /// layers, while pictures only go as deep as the deepest atlas layer.
    /// </param>
    public static void Ensure(IAtlasModel model, IReadOnlyList<LayerInfo> layers, int? size, string field, bool throughLogits = false)
    {
        if (size is not { } side || (side == model.Input.Height && side == model.Input.Width)) return;
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var input = full(1, model.Input.Channels, side, side, 0.5f, device: ModelDevice.Of(model));
        var names = layers.Select(l => l.Name).ToList();
        // Every layer in one forward first; only when that fails, layer by layer, to name the first one the size breaks.
        if (Fails(() => { DisposeAll(model.Activations(input, names)); if (throughLogits) model.Logits(input).Dispose(); }) is null) return;
        var steps = names.Select(name => (name, Run: (Action)(() => DisposeAll(model.Activations(input, [name]))))).ToList();
        if (throughLogits) steps.Add(("logits (the whole network)", () => model.Logits(input).Dispose()));
        foreach (var (name, run) in steps)
        {
            if (Fails(run) is not { } e) continue;
            var advice = throughLogits ? $"use {model.Input.Height}" : $"use {model.Input.Height}, or leave '{name}' out of `layers`";
            throw new AtlasInputException(
                $"{field}: model '{model.Architecture}' cannot take {side}×{side} inputs up to layer '{name}' ({TorchErrors.Summary(e)}); {advice}", e);
        }
    }

    private static void DisposeAll(IReadOnlyDictionary<string, Tensor> activations)
    {
        foreach (var activation in activations.Values) activation.Dispose();
    }

    private static Exception? Fails(Action run)
    {
        try
        {
            run();
            return null;
        }
        catch (Exception e) when (e is not AtlasInputException)
        {
            return e;
        }
    }
}
