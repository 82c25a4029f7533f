using Atlas.Core.Models;
using static TorchSharp.torch;

namespace Atlas.Core.Rendering;

/// <summary>
/// Checks before a job is planned that the network takes pictures of featureVis.imageSize through the atlas
/// layers. A size it cannot take (a fixed-size linear layer after the convolutions) would otherwise fail every unit
/// of those layers at run time, three times each, and leave them out of a published atlas.
/// </summary>
public static class RenderableSize
{
    public static void Ensure(IAtlasModel model, IReadOnlyList<LayerInfo> layers, int? imageSize)
    {
        if (imageSize is not { } size || (size == model.Input.Height && size == model.Input.Width) || layers.Count == 0) return;
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        // One mid-grey picture through every atlas layer at once (the forward stops at the deepest, as rendering's does).
        var picture = full(1, model.Input.Channels, size, size, 0.5f, device: ModelDevice.Of(model));
        if (Fails(model, picture, layers.Select(l => l.Name).ToList()) is null) return;
        // Then layer by layer, to name the first one the size breaks.
        foreach (var layer in layers)
        {
            if (Fails(model, picture, [layer.Name]) is not { } e) continue;
            throw new AtlasInputException(
                $"featureVis.imageSize: model '{model.Architecture}' cannot take {size}×{size} pictures up to layer '{layer.Name}' " +
                $"({e.GetBaseException().Message.Split('\n')[0].Trim()}); use {model.Input.Height}, or leave that layer out of `layers`", e);
        }
    }

    private static Exception? Fails(IAtlasModel model, Tensor picture, IReadOnlyCollection<string> layers)
    {
        try
        {
            foreach (var activation in model.Activations(picture, layers).Values) activation.Dispose();
            return null;
        }
        catch (Exception e) when (e is not AtlasInputException)
        {
            return e;
        }
    }
}
