using static TorchSharp.torch;

namespace Atlas.Core.Rendering;

/// <summary>DeepDream: the mean of the squared activations of a whole layer.</summary>
public sealed class DeepDreamTerm(string layer) : ObjectiveTerm(layer)
{
    public override string Description => $"deepdream({Layer})";
    public override string FuseKey => $"deepdream|{Layer}";

    public override ITermEvaluator CreateEvaluator(IReadOnlyList<TermUse> uses, Device device) =>
        new Evaluator(tensor(uses.Select(u => (long)u.Row).ToArray(), device: device));

    private sealed class Evaluator(Tensor rows) : ITermEvaluator
    {
        public Tensor Evaluate(Tensor activation) => activation.index_select(0, rows).pow(2).flatten(1).mean([1]);
        public void Dispose() => rows.Dispose();
    }
}
