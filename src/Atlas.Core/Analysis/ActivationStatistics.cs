using static TorchSharp.torch;

namespace Atlas.Core.Analysis;

/// <summary>
/// One layer's activation statistics: the mean value, the fraction of values ≤ 0 (sparsity after a
/// ReLU), and the fraction of channels active (maximum over positions &gt; 0), each averaged over images.
/// <see cref="Shape"/> is one image's activation shape (C×H×W, or C for a linear layer).
/// </summary>
public sealed record ActivationStats(long[] Shape, double Mean, double FractionNonPositive, double FractionChannelsActive, long Images)
{
    public long ValuesPerImage => Shape.Aggregate(1L, (a, b) => a * b);
}

/// <summary>Accumulates <see cref="ActivationStats"/> over batches (and over shards: <see cref="Merge"/>).</summary>
public sealed class ActivationStatsAccumulator
{
    private long[]? shape;
    private double sumMean, sumNonPositive, sumChannelsActive;
    private long images;

    /// <summary>Adds a batch: N×C×H×W or N×C activations.</summary>
    public void Add(Tensor activation)
    {
        if (activation.dim() is not (2 or 4)) throw new ArgumentException($"activations are N×C×H×W or N×C, not rank {activation.dim()}", nameof(activation));
        var perImage = activation.shape.Skip(1).ToArray();
        if (shape is not null && !shape.SequenceEqual(perImage))
            throw new ArgumentException($"activation shape {string.Join("×", perImage)} differs from {string.Join("×", shape)}", nameof(activation));
        shape = perImage;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var values = activation.detach().to(float64);
        long n = values.shape[0], c = values.shape[1];
        var flat = values.reshape(n, c, -1);
        sumMean += flat.mean([1, 2]).sum().item<double>();
        sumNonPositive += (flat <= 0).to(float64).mean([1, 2]).sum().item<double>();
        sumChannelsActive += (flat.amax(2) > 0).to(float64).mean([1]).sum().item<double>();
        images += n;
    }

    public void Merge(ActivationStatsAccumulator other)
    {
        if (other.images == 0) return;
        if (shape is not null && !shape.SequenceEqual(other.shape!)) throw new ArgumentException("cannot merge statistics of different shapes");
        shape ??= other.shape;
        sumMean += other.sumMean;
        sumNonPositive += other.sumNonPositive;
        sumChannelsActive += other.sumChannelsActive;
        images += other.images;
    }

    public ActivationStats Result() => images == 0
        ? throw new InvalidOperationException("no activations were added")
        : new ActivationStats(shape!, sumMean / images, sumNonPositive / images, sumChannelsActive / images, images);

    /// <summary>The statistics of one batch on its own.</summary>
    public static ActivationStats Of(Tensor activation)
    {
        var accumulator = new ActivationStatsAccumulator();
        accumulator.Add(activation);
        return accumulator.Result();
    }
}

/// <summary>Mean and standard deviation over every value of a layer's weight tensors.</summary>
public sealed record WeightStats(double Mean, double Std, long Count)
{
    public static WeightStats? Of(IReadOnlyList<Tensor> weights)
    {
        if (weights.Count == 0) return null;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var all = cat(weights.Select(w => w.detach().to(float64).flatten()).ToArray());
        return new WeightStats(all.mean().item<double>(), all.std(unbiased: false).item<double>(), all.numel());
    }
}
