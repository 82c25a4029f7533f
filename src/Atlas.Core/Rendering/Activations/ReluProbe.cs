using System.Runtime.CompilerServices;
using Atlas.Core.Models;
using static TorchSharp.torch;

namespace Atlas.Core.Rendering;

/// <summary>
/// Finds out, with two dry forward passes, whether a layer's output is the ReLU of its pre-activation,
/// the pre-activation itself, or neither. When every layer a batch reads is one of the first two, the
/// renderer asks the model for pre-activations only and derives both targets from them, so one
/// forward pass serves images that read rectified values and images that read pre-ReLU values.
/// </summary>
public static class ReluProbe
{
    private static readonly ConditionalWeakTable<IAtlasModel, Dictionary<string, LayerRelu>> Cache = new();

    public static IReadOnlyDictionary<string, LayerRelu> Classify(IAtlasModel model, IReadOnlyCollection<string> layers, int height, int width, Device device)
    {
        var known = Cache.GetOrCreateValue(model);
        lock (known)
        {
            var missing = layers.Where(l => !known.ContainsKey($"{l}@{height}x{width}")).ToList();
            if (missing.Count > 0)
            {
                foreach (var (layer, kind) in Probe(model, missing, height, width, device)) known[$"{layer}@{height}x{width}"] = kind;
            }
            return layers.ToDictionary(l => l, l => known[$"{l}@{height}x{width}"]);
        }
    }

    private static Dictionary<string, LayerRelu> Probe(IAtlasModel model, IReadOnlyCollection<string> layers, int height, int width, Device device)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var generator = new Generator(20240917);
        // Noise and mid-grey: noise makes some pre-activations negative, so a ReLU shows.
        var probe = cat([rand([1, model.Input.Channels, height, width], generator: generator), full([1, model.Input.Channels, height, width], 0.5f)], 0).to(device);
        var pre = model.Activations(probe, layers, preActivation: true);
        var post = model.Activations(probe, layers, preActivation: false);
        try
        {
            return layers.ToDictionary(l => l, l =>
            {
                var p = pre[l];
                var o = post[l];
                if (!p.shape.SequenceEqual(o.shape)) return LayerRelu.Other;
                if (p.allclose(o, rtol: 1e-5, atol: 1e-6) && p.lt(0).any().item<bool>()) return LayerRelu.Linear;
                if (nn.functional.relu(p).allclose(o, rtol: 1e-5, atol: 1e-6)) return p.lt(0).any().item<bool>() ? LayerRelu.Rectified : LayerRelu.Linear;
                return LayerRelu.Other;
            });
        }
        finally
        {
            foreach (var t in pre.Values.Concat(post.Values)) t.Dispose();
        }
    }
}
