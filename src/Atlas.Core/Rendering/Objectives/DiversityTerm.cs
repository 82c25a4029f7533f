using TorchSharp;
using static TorchSharp.torch;

namespace Atlas.Core.Rendering;

/// <summary>
/// Lucid's diversity penalty: for each image, minus the sum of cosine similarities between its
/// channel Gram matrix and those of the other images of its group, divided by the group size — summed
/// over the group this is Lucid's −Σ_{i≠j} cos(G_i, G_j)/batch. Activations are rectified first
/// (Lucid compares post-ReLU layers; under pre-ReLU targets the rectified value is the post-ReLU one),
/// so images cannot lower the penalty by becoming anti-correlated. Only rows of the same group that
/// carry a diversity term on the same layer are compared.
/// </summary>
public sealed class DiversityTerm(string layer) : ObjectiveTerm(layer)
{
    public override string Description => $"diversity({Layer})";
    public override string FuseKey => $"diversity|{Layer}";

    public override ITermEvaluator CreateEvaluator(IReadOnlyList<TermUse> uses, Device device)
    {
        int n = uses.Count;
        var same = new float[n * n];
        var size = new float[n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                if (uses[i].Group != uses[j].Group) continue;
                size[i]++;
                if (i != j) same[i * n + j] = 1;
            }
        }
        return new Evaluator(
            tensor(uses.Select(u => (long)u.Row).ToArray(), device: device),
            tensor(same, device: device).view(n, n),
            tensor(size, device: device));
    }

    private sealed class Evaluator(Tensor rows, Tensor others, Tensor groupSize) : ITermEvaluator
    {
        public Tensor Evaluate(Tensor activation)
        {
            var picked = nn.functional.relu(activation.index_select(0, rows));
            long n = picked.shape[0], c = picked.shape[1];
            var flat = picked.reshape(n, c, -1);
            var gram = flat.bmm(flat.transpose(1, 2)).reshape(n, -1);
            var unit = nn.functional.normalize(gram, p: 2, dim: 1, eps: 1e-10);
            var similarity = unit.mm(unit.t());
            return -(similarity * others.to(similarity.dtype)).sum(1) / groupSize.to(similarity.dtype);
        }

        public void Dispose()
        {
            rows.Dispose();
            others.Dispose();
            groupSize.Dispose();
        }
    }
}
