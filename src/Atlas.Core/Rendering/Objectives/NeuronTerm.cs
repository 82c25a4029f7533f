using TorchSharp;
using static TorchSharp.torch;

namespace Atlas.Core.Rendering;

/// <summary>
/// One position of one channel (Lucid's <c>neuron</c>): by default the centre, (H/2, W/2) rounded down
/// as Lucid does. On a B×C layer it is the unit's value, the same as <see cref="ChannelTerm"/>.
/// </summary>
public sealed class NeuronTerm : ObjectiveTerm
{
    public NeuronTerm(string layer, int channel, int? y = null, int? x = null) : base(layer)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(channel);
        Channel = channel;
        Y = y;
        X = x;
    }

    public int Channel { get; }
    public override int? SingleChannel => Channel;
    public int? Y { get; }
    public int? X { get; }
    public override string Description => Y is null && X is null ? $"neuron({Layer}:{Channel} @centre)" : $"neuron({Layer}:{Channel} @{Y},{X})";
    public override string FuseKey => $"neuron|{Layer}";

    public override ITermEvaluator CreateEvaluator(IReadOnlyList<TermUse> uses, Device device) =>
        new Evaluator(uses.Select(u => (NeuronTerm)u.Term).ToList(), tensor(uses.Select(u => (long)u.Row).ToArray(), device: device), device);

    private sealed class Evaluator(IReadOnlyList<NeuronTerm> terms, Tensor rows, Device device) : ITermEvaluator
    {
        private readonly Tensor channels = tensor(terms.Select(t => (long)t.Channel).ToArray(), device: device);
        private readonly long highest = terms.Max(t => t.Channel);
        private (long H, long W, Tensor Ys, Tensor Xs)? positions;

        public Tensor Evaluate(Tensor activation)
        {
            Guard.Channels(activation, highest);
            if (activation.dim() == 2) return activation.index(TensorIndex.Tensor(rows), TensorIndex.Tensor(channels));
            var (ys, xs) = Positions(activation.shape[2], activation.shape[3]);
            return activation.index(TensorIndex.Tensor(rows), TensorIndex.Tensor(channels), TensorIndex.Tensor(ys), TensorIndex.Tensor(xs));
        }

        // Positions depend on the layer's spatial size, known at the first evaluation only.
        private (Tensor Ys, Tensor Xs) Positions(long h, long w)
        {
            if (positions is { } p && p.H == h && p.W == w) return (p.Ys, p.Xs);
            positions?.Ys.Dispose();
            positions?.Xs.Dispose();
            long At(int? given, long size, string axis) => given is { } v
                ? (v >= 0 && v < size ? v : throw new ArgumentException($"neuron position {axis}={v} is outside the layer's {size} positions"))
                : size / 2;
            // Made during a step, inside its dispose scope: detach so they outlive the step.
            var ys = tensor(terms.Select(t => At(t.Y, h, "y")).ToArray(), device: device).DetachFromDisposeScope();
            var xs = tensor(terms.Select(t => At(t.X, w, "x")).ToArray(), device: device).DetachFromDisposeScope();
            positions = (h, w, ys, xs);
            return (ys, xs);
        }

        public void Dispose()
        {
            rows.Dispose();
            channels.Dispose();
            positions?.Ys.Dispose();
            positions?.Xs.Dispose();
        }
    }
}
