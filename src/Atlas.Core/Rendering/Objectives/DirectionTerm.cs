using System.Globalization;
using static TorchSharp.torch;

namespace Atlas.Core.Rendering;

/// <summary>
/// A direction in a layer's channel space (Lucid's <c>direction</c> with cossim_pow 0): the dot product
/// of the activation vector at each position with <see cref="Vector"/>, averaged over positions.
/// </summary>
public sealed class DirectionTerm : ObjectiveTerm
{
    public DirectionTerm(string layer, IReadOnlyList<float> vector, string? name = null) : base(layer)
    {
        if (vector.Count == 0) throw new ArgumentException("a direction needs at least one component", nameof(vector));
        Vector = vector.ToArray();
        Name = name;
    }

    public IReadOnlyList<float> Vector { get; }
    public string? Name { get; }

    public override string Description => Name is not null
        ? $"direction({Layer}:{Name})"
        : $"direction({Layer}:[{string.Join(", ", Vector.Take(3).Select(v => v.ToString("0.###", CultureInfo.InvariantCulture)))}{(Vector.Count > 3 ? ", …" : "")}] {Vector.Count}-d)";

    public override string FuseKey => $"direction|{Layer}";

    public override ITermEvaluator CreateEvaluator(IReadOnlyList<TermUse> uses, Device device)
    {
        var vectors = uses.Select(u => ((DirectionTerm)u.Term).Vector).ToList();
        int length = vectors[0].Count;
        if (vectors.Any(v => v.Count != length))
            throw new ArgumentException($"directions on layer '{Layer}' have different lengths ({string.Join(", ", vectors.Select(v => v.Count).Distinct())})");
        return new Evaluator(
            tensor(uses.Select(u => (long)u.Row).ToArray(), device: device),
            tensor(vectors.SelectMany(v => v).ToArray(), device: device).view(uses.Count, length));
    }

    private sealed class Evaluator(Tensor rows, Tensor vectors) : ITermEvaluator
    {
        public Tensor Evaluate(Tensor activation)
        {
            if (activation.shape[1] != vectors.shape[1])
                throw new ArgumentException($"a {vectors.shape[1]}-d direction on a layer with {activation.shape[1]} channels");
            var picked = activation.index_select(0, rows);
            var v = vectors.to(activation.dtype);
            if (picked.dim() == 2) return (picked * v).sum(1);
            return (picked * v.view(v.shape[0], v.shape[1], 1, 1)).sum(1).flatten(1).mean([1]);
        }

        public void Dispose()
        {
            rows.Dispose();
            vectors.Dispose();
        }
    }
}
