using TorchSharp;
using static TorchSharp.torch;

namespace Atlas.Core.Rendering;

/// <summary>A channel's mean over spatial positions (Lucid's <c>channel</c>); on a B×C layer, the unit's value itself.</summary>
public class ChannelTerm : ObjectiveTerm
{
    public ChannelTerm(string layer, int channel) : base(layer)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(channel);
        Channel = channel;
    }

    public int Channel { get; }
    public override int? SingleChannel => Channel;
    public override string Description => $"channel({Layer}:{Channel})";
    public override string FuseKey => $"channel|{Layer}";

    public override ITermEvaluator CreateEvaluator(IReadOnlyList<TermUse> uses, Device device) =>
        new Evaluator(
            tensor(uses.Select(u => (long)u.Row).ToArray(), device: device),
            tensor(uses.Select(u => (long)((ChannelTerm)u.Term).Channel).ToArray(), device: device),
            uses.Max(u => ((ChannelTerm)u.Term).Channel));

    private sealed class Evaluator(Tensor rows, Tensor channels, long highest) : ITermEvaluator
    {
        public Tensor Evaluate(Tensor activation)
        {
            Guard.Channels(activation, highest);
            var picked = activation.index(TensorIndex.Tensor(rows), TensorIndex.Tensor(channels));
            return picked.dim() == 1 ? picked : picked.flatten(1).mean([1]);
        }

        public void Dispose()
        {
            rows.Dispose();
            channels.Dispose();
        }
    }
}

/// <summary>A class's pre-softmax logit: a channel of the logits layer, described as the class it stands for.</summary>
public sealed class ClassLogitTerm(string layer, int classIndex, string? className = null) : ChannelTerm(layer, classIndex)
{
    public string? ClassName { get; } = className;
    public override string Description => ClassName is null ? $"class({Layer}:{Channel})" : $"class({Layer}:{Channel} \"{ClassName}\")";
}

/// <summary>Shape checks shared by the term evaluators, so a bad channel index fails with a clear message, not a native one.</summary>
internal static class Guard
{
    /// <param name="highest">The largest channel index read, known on the host (reading it from the device would stall every step).</param>
    public static void Channels(Tensor activation, long highest)
    {
        if (activation.dim() is not (2 or 4))
            throw new ArgumentException($"objectives read B×C or B×C×H×W activations, not rank {activation.dim()}");
        long available = activation.shape[1];
        if (highest >= available)
            throw new ArgumentException($"channel {highest} is out of range: the layer has {available} channels");
    }
}
