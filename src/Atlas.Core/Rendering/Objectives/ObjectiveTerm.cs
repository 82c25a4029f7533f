using static TorchSharp.torch;

namespace Atlas.Core.Rendering;

/// <summary>
/// One atomic quantity an objective is built from (a channel's mean, a neuron, a Gram-matrix penalty…).
/// Terms never evaluate one at a time: the renderer hands every use of terms that share a
/// <see cref="FuseKey"/> to one evaluator, so a batch of 200 different channels is one gather, not 200.
/// </summary>
public abstract class ObjectiveTerm
{
    protected ObjectiveTerm(string layer)
    {
        if (string.IsNullOrWhiteSpace(layer)) throw new ArgumentException("an objective needs a layer name", nameof(layer));
        Layer = layer;
    }

    /// <summary>The atlas layer whose activations this term reads.</summary>
    public string Layer { get; }

    /// <summary>Readable provenance, e.g. "channel(conv3:5)".</summary>
    public abstract string Description { get; }

    /// <summary>The one channel of <see cref="Layer"/> this term reads, when it reads one (null: several, or all).</summary>
    public virtual int? SingleChannel => null;

    /// <summary>Terms with equal keys are evaluated together by one <see cref="ITermEvaluator"/>.</summary>
    public abstract string FuseKey { get; }

    /// <summary>
    /// Builds the evaluator for <paramref name="uses"/>, all of which carry terms with this term's
    /// <see cref="FuseKey"/>. Index tensors are made once here, not on every step.
    /// </summary>
    public abstract ITermEvaluator CreateEvaluator(IReadOnlyList<TermUse> uses, Device device);

    public override string ToString() => Description;
}

/// <summary>Term <paramref name="Term"/> applied to batch row <paramref name="Row"/>; batch-wide terms compare rows of the same <paramref name="Group"/>.</summary>
public readonly record struct TermUse(int Row, ObjectiveTerm Term, int Group);

/// <summary>Evaluates a fixed list of term uses on a layer's activation (B×C×H×W or B×C): one value per use.</summary>
public interface ITermEvaluator : IDisposable
{
    Tensor Evaluate(Tensor activation);
}
