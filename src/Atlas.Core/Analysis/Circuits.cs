using Atlas.Core.Models;
using static TorchSharp.torch;

namespace Atlas.Core.Analysis;

/// <summary>One connection: the other unit and its signed strength (kernel L2 norm, sign of the kernel's sum).</summary>
public sealed record CircuitEdge(int Unit, float Weight);

/// <summary>How two atlas layers are joined: <c>direct</c> weights, or <c>expanded</c> weights through what lies between.</summary>
public enum ConnectionMethod { Direct, Expanded }

/// <summary>
/// The connections from layer <see cref="From"/> into layer <see cref="To"/>: for every unit of To its
/// strongest inputs, for every unit of From its strongest outputs, and the kernel of any pair. "Strongest" is
/// <c>topK</c> of each sign: a unit whose strongest links all inhibit it still shows what excites it.
/// </summary>
public sealed class LayerConnections(string from, string to, ConnectionMethod method, float[] kernels, int toUnits, int fromUnits, int kernelHeight, int kernelWidth, int topK)
{
    public string From => from;
    public string To => to;
    public ConnectionMethod Method => method;
    public int KernelHeight => kernelHeight;
    public int KernelWidth => kernelWidth;

    /// <summary>Signed strength of every pair: [to unit, from unit].</summary>
    public float Strength(int toUnit, int fromUnit)
    {
        var kernel = KernelSpan(toUnit, fromUnit);
        double squares = 0, sum = 0;
        foreach (var value in kernel)
        {
            squares += (double)value * value;
            sum += value;
        }
        return (float)(Math.Sqrt(squares) * (sum < 0 ? -1 : 1));
    }

    /// <summary>
    /// Strongest inputs of a unit of <see cref="To"/>: up to topK excitatory (positive strength) and up to topK
    /// inhibitory (negative), together strongest first by |strength| (ties by index), among the first
    /// <paramref name="among"/> units of <see cref="From"/> (those in the atlas; all by default). A strength of
    /// exactly 0 is no connection and is left out.
    /// </summary>
    public IReadOnlyList<CircuitEdge> InputsOf(int toUnit, int? among = null) =>
        Strongest(Enumerable.Range(0, Math.Min(among ?? fromUnits, fromUnits)).Select(u => new CircuitEdge(u, Strength(toUnit, u))));

    /// <summary>Strongest outputs of a unit of <see cref="From"/>, like <see cref="InputsOf"/> the other way.</summary>
    public IReadOnlyList<CircuitEdge> OutputsOf(int fromUnit, int? among = null) =>
        Strongest(Enumerable.Range(0, Math.Min(among ?? toUnits, toUnits)).Select(v => new CircuitEdge(v, Strength(v, fromUnit))));

    /// <summary>The spatial kernel with which unit <paramref name="toUnit"/> reads unit <paramref name="fromUnit"/>, rows of columns.</summary>
    public float[][] Kernel(int toUnit, int fromUnit)
    {
        var flat = KernelSpan(toUnit, fromUnit).ToArray();
        return Enumerable.Range(0, kernelHeight).Select(y => flat.AsSpan(y * kernelWidth, kernelWidth).ToArray()).ToArray();
    }

    /// <summary>The largest |value| among a unit's kernels: one colour scale for all of its links.</summary>
    public float MaxAbsOfUnit(int toUnit)
    {
        int size = fromUnits * kernelHeight * kernelWidth;
        float max = 0;
        foreach (var value in kernels.AsSpan(toUnit * size, size)) max = Math.Max(max, Math.Abs(value));
        return max;
    }

    private ReadOnlySpan<float> KernelSpan(int toUnit, int fromUnit)
    {
        int size = kernelHeight * kernelWidth;
        return kernels.AsSpan((toUnit * fromUnits + fromUnit) * size, size);
    }

    private List<CircuitEdge> Strongest(IEnumerable<CircuitEdge> edges)
    {
        var all = edges.OrderByDescending(e => Math.Abs(e.Weight)).ThenBy(e => e.Unit).ToList();
        return all.Where(e => e.Weight > 0).Take(topK)
            .Concat(all.Where(e => e.Weight < 0).Take(topK))
            .OrderByDescending(e => Math.Abs(e.Weight)).ThenBy(e => e.Unit).ToList();
    }
}

/// <summary>
/// Circuits between adjacent atlas layers. Direct weights where the later layer's weights read the
/// earlier layer (see <see cref="ILayerProbe.DirectWeights"/>); otherwise expanded weights: the
/// gradient of the later unit's centre activation with respect to the earlier layer's activation on
/// the network with ReLUs (and Hardswish) as identity, max-pools as average pools and squeeze-and-excitation
/// gates as 1. That network is affine, so the gradient is the same at every input and is taken at zero; it is
/// checked to be affine first, and a model that is not (a ReLU outside a module, say) gets no circuits rather
/// than wrong ones.
/// </summary>
public static class CircuitAnalysis
{
    /// <summary>
    /// The connections into the first <paramref name="toUnits"/> units of <paramref name="to"/> (all by
    /// default: an atlas that renders fewer units need not pay for the rest), or null with a reason when
    /// this pair of layers cannot be connected.
    /// </summary>
    public static LayerConnections? Connect(ILayerProbe probe, LayerInfo from, LayerInfo to, int topK, out string? reason, int batchSize = 32, int? toUnits = null)
    {
        int targets = Math.Clamp(toUnits ?? to.Channels, 1, to.Channels);
        TorchRuntime.Initialize();
        var names = probe.Model.LayerNames.ToList();
        if (names.IndexOf(from.Name) >= names.IndexOf(to.Name))
            throw new ArgumentException($"layer '{from.Name}' does not come before '{to.Name}'");
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        Tensor? weights = probe.DirectWeights(from.Name, to.Name);
        var method = ConnectionMethod.Direct;
        if (weights is null)
        {
            reason = ExpandedRefusal(probe, from, to);
            if (reason is not null) return null;
            weights = ExpandedWeights(probe, from, to, targets, batchSize);
            if (weights is null)
            {
                reason = Unread(from, to);
                return null;
            }
            method = ConnectionMethod.Expanded;
        }
        reason = null;
        var cpu = weights[..targets].detach().to(float32).cpu().contiguous();
        return new LayerConnections(from.Name, to.Name, method, cpu.data<float>().ToArray(),
            (int)cpu.shape[0], (int)cpu.shape[1], (int)cpu.shape[2], (int)cpu.shape[3], topK);
    }

    /// <summary>
    /// How <see cref="Connect"/> would join the two layers, or null with the reason it would give, from the same checks
    /// but without computing the kernels (one linearized pass of four substitutes and one gradient): for `atlas plan`.
    /// </summary>
    public static ConnectionMethod? Method(ILayerProbe probe, LayerInfo from, LayerInfo to, out string? reason)
    {
        TorchRuntime.Initialize();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        reason = null;
        if (probe.DirectWeights(from.Name, to.Name) is not null) return ConnectionMethod.Direct;
        reason = ExpandedRefusal(probe, from, to) ?? (MixedGradient(probe, from, to) is null ? Unread(from, to) : null);
        return reason is null ? ConnectionMethod.Expanded : null;
    }

    /// <summary>Why expanded weights cannot join the two layers (null: they can be computed).</summary>
    private static string? ExpandedRefusal(ILayerProbe probe, LayerInfo from, LayerInfo to)
    {
        if (!probe.CanLinearize(from.Name, to.Name))
            return $"'{from.Name}' and '{to.Name}' are not joined directly and model '{probe.Model.Architecture}' offers no linearized forward for expanded weights";
        if (!IsAffine(probe, from, to))
            return $"the path from '{from.Name}' to '{to.Name}' stays non-linear with ReLUs and max-pools replaced, so expanded weights would be wrong";
        return null;
    }

    private static string Unread(LayerInfo from, LayerInfo to) =>
        $"the linearized forward from '{from.Name}' to '{to.Name}' does not read the substituted activation, so it has no gradient to draw";

    /// <summary>f(a) + f(b) = f(a + b) + f(0) on random a, b, up to float rounding.</summary>
    private static bool IsAffine(ILayerProbe probe, LayerInfo from, LayerInfo to)
    {
        var generator = new Generator(1234);
        var a = randn(Shape(1, from), generator: generator);
        var b = randn(Shape(1, from), generator: generator);
        var probes = cat([a, b, a + b, zeros_like(a)]).to(ModelDevice.Of(probe.Model));
        var outputs = probe.LinearizedActivation(probes, from.Name, to.Name).to(float64);
        var gap = (outputs[0] + outputs[1] - outputs[2] - outputs[3]).abs().max().item<double>();
        var size = outputs.abs().max().item<double>();
        return gap <= 1e-3 * Math.Max(size, 1e-6);
    }

    /// <summary>The gradients of the later layer's units with respect to the earlier layer, or null when the linearized forward does not read it.</summary>
    private static Tensor? ExpandedWeights(ILayerProbe probe, LayerInfo from, LayerInfo to, int targets, int batchSize)
    {
        // Which positions of the earlier layer reach the later layer's centre: the support of the mixed gradient.
        if (MixedGradient(probe, from, to) is not { } mixed) return null;
        var support = mixed.abs().sum([0, 1]);
        var rows = support.sum(1).nonzero().flatten().cpu().data<long>().ToArray();
        var cols = support.sum(dim: 0).nonzero().flatten().cpu().data<long>().ToArray();
        long top = rows.Length > 0 ? rows.Min() : 0, bottom = rows.Length > 0 ? rows.Max() : 0;
        long left = cols.Length > 0 ? cols.Min() : 0, right = cols.Length > 0 ? cols.Max() : 0;

        var kernels = new List<Tensor>();
        for (int start = 0; start < targets; start += batchSize)
        {
            var units = Enumerable.Range(start, Math.Min(batchSize, targets - start)).ToArray();
            var gradient = Gradient(probe, from, to, units, null)!; // B×C_from×H×W; the support's pass read the substitute
            kernels.Add(gradient[.., .., TensorIndex.Slice(top, bottom + 1), TensorIndex.Slice(left, right + 1)].clone());
        }
        return cat(kernels);
    }

    /// <summary>
    /// The gradient of a random mix of all the later layer's units at its centre (exact cancellation has probability
    /// zero), or null when the linearized forward does not read the substitute.
    /// </summary>
    private static Tensor? MixedGradient(ILayerProbe probe, LayerInfo from, LayerInfo to)
    {
        using var mix = randn(to.Channels, generator: new Generator(99));
        return Gradient(probe, from, to, Enumerable.Range(0, to.Channels).ToArray(), mix);
    }

    /// <summary>
    /// Per batch element b: ∂ to[b, units[b], centre] / ∂ from[b] on the linearized network; with
    /// <paramref name="mix"/>, a single element and the gradient of Σ_v mix[v]·to[v, centre]. Null when the
    /// linearized forward does not read the substitute (a TorchScript archive's hand-written path, say).
    /// </summary>
    private static Tensor? Gradient(ILayerProbe probe, LayerInfo from, LayerInfo to, int[] units, Tensor? mix)
    {
        using var gradients = enable_grad();
        int batch = mix is null ? units.Length : 1;
        var substitute = zeros(Shape(batch, from), device: ModelDevice.Of(probe.Model)).requires_grad_(true);
        var output = probe.LinearizedActivation(substitute, from.Name, to.Name);
        var centre = to.IsSpatial ? output[.., .., to.Height / 2, to.Width / 2] : output; // B×C_to
        Tensor objective;
        if (mix is not null) objective = (centre[0] * mix.to(centre.device)).sum();
        else
        {
            var index = tensor(units.Select(u => (long)u).ToArray(), device: centre.device).view(batch, 1);
            objective = centre.gather(1, index).sum();
        }
        if (SafeGradient.Of(objective, substitute) is not { } gradient) return null;
        return from.IsSpatial ? gradient : gradient.view(batch, from.Channels, 1, 1);
    }

    private static long[] Shape(int batch, LayerInfo layer) =>
        layer.IsSpatial ? [batch, layer.Channels, layer.Height, layer.Width] : [batch, layer.Channels];
}
