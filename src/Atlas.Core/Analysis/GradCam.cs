using Atlas.Core.Models;
using static TorchSharp.torch;

namespace Atlas.Core.Analysis;

/// <summary>Where the ReLU goes in Grad-CAM.</summary>
public enum GradCamRelu
{
    /// <summary>ReLU(Σ_k α_k A_k): the standard Grad-CAM map (Selvaraju et al.).</summary>
    Sum,
    /// <summary>Σ_k ReLU(α_k A_k): the lecture's variant, which drops negative channel contributions before summing.</summary>
    PerChannel,
}

/// <summary>
/// One image's Grad-CAM: the class, its logit, and the map at the layer's own spatial resolution
/// divided by its maximum (all zeros when nothing is positive).
/// </summary>
public sealed record GradCamResult(string Layer, int Class, float Logit, float[][] Heatmap)
{
    public int Height => Heatmap.Length;
    public int Width => Heatmap.Length == 0 ? 0 : Heatmap[0].Length;
}

/// <summary>
/// Grad-CAM (α_k = spatial mean of ∂logit/∂A_k) for a batch of images, each with its own class.
/// Images are independent in an eval-mode network, so one backward of the sum of the chosen logits
/// gives every image its own gradient.
/// </summary>
public static class GradCam
{
    /// <param name="pixels">N×C×H×W in [0,1].</param>
    /// <param name="classes">One class per image, or null for each image's top class.</param>
    public static IReadOnlyList<GradCamResult> Compute(ILayerProbe probe, Tensor pixels, string layer, IReadOnlyList<int>? classes = null, GradCamRelu relu = GradCamRelu.Sum)
    {
        TorchRuntime.Initialize();
        var model = probe.Model;
        LayerProbes.RequireLayer(model, layer);
        int n = (int)pixels.shape[0];
        if (classes is not null && classes.Count != n) throw new ArgumentException($"{classes.Count} classes for {n} images", nameof(classes));

        using var scope = NewDisposeScope();
        using var gradients = enable_grad();
        // Pixels that require grad put the whole forward in the graph, whichever way the probe exposes the layer.
        var input = pixels.detach().to(ModelDevice.Of(model)).clone().requires_grad_(true);
        using var forward = probe.LogitsThrough(input, layer);
        var activation = forward.Activation;
        if (activation.dim() != 4)
            throw new AtlasInputException($"layer '{layer}' has no spatial map (its activation is {string.Join("×", activation.shape.Skip(1))}); Grad-CAM needs a convolutional layer");
        var logits = forward.Logits;
        long classCount = logits.shape[1];
        var chosen = classes?.ToArray() ?? logits.argmax(1).cpu().data<long>().Select(c => (int)c).ToArray();
        foreach (var c in chosen)
        {
            if (c < 0 || c >= classCount)
                throw new AtlasInputException($"class {c} is out of range: model '{model.Architecture}' has classes 0–{classCount - 1}");
        }

        var index = tensor(chosen.Select(c => (long)c).ToArray(), device: logits.device).view(n, 1);
        var picked = logits.gather(1, index).view(n);
        var gradient = SafeGradient.Of(picked.sum(), activation)
            ?? throw new AtlasInputException($"the logits of model '{model.Architecture}' are not computed from layer '{layer}' (its output is a copy, or a branch the logits do not read), so Grad-CAM cannot weigh it");

        using var noGrad = no_grad();
        var alpha = gradient.mean([2, 3], keepdim: true);           // N×K×1×1
        var weighted = alpha * activation.detach();                  // N×K×h×w
        var map = relu == GradCamRelu.Sum ? nn.functional.relu(weighted.sum(1)) : nn.functional.relu(weighted).sum(1);
        var maxima = map.amax([1, 2], keepdim: true);
        var normalized = where(maxima > 0, map / maxima.clamp_min(1e-30), zeros_like(map));

        int h = (int)map.shape[1], w = (int)map.shape[2];
        var values = normalized.cpu().contiguous().data<float>().ToArray();
        var logitValues = picked.detach().cpu().data<float>().ToArray();
        return Enumerable.Range(0, n).Select(i => new GradCamResult(
            layer, chosen[i], logitValues[i],
            Enumerable.Range(0, h).Select(y => values.AsSpan((i * h + y) * w, w).ToArray()).ToArray())).ToList();
    }
}
