using Atlas.Core;
using Atlas.Core.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Atlas.Core.Tests.Rendering;

/// <summary>
/// A small RGB network for the renderer's tests, so colour decorrelation and 3-channel paths run:
/// conv1 (3→8, 3×3), conv2 (8→16, 3×3, stride 2), global average pool, logits (16→5). Pooling
/// makes it take any image size, which the image-size tests need. Random weights, seeded.
/// </summary>
public sealed class TinyRgbModel : IAtlasModel
{
    public static readonly IReadOnlyList<string> Layers = ["conv1", "conv2", "logits"];
    private readonly Net net;
    private readonly Tensor mean = tensor(new[] { 0.48f, 0.46f, 0.41f }).view(1, 3, 1, 1);
    private readonly Tensor std = tensor(new[] { 0.23f, 0.23f, 0.23f }).view(1, 3, 1, 1);

    public TinyRgbModel(int seed = 3)
    {
        TorchRuntime.Initialize();
        random.manual_seed(seed);
        net = new Net();
        net.eval();
        foreach (var p in net.parameters()) p.requires_grad = false;
    }

    public string Architecture => "tiny-rgb-test";
    public InputSpec Input { get; } = new(3, 32, 32, [0.48f, 0.46f, 0.41f], [0.23f, 0.23f, 0.23f]);
    public IReadOnlyList<string> LayerNames => Layers;
    public IReadOnlyList<string> ClassNames { get; } = ["a", "b", "c", "d", "e"];
    public Module Network => net;

    /// <summary>Sets one conv1 channel's bias, e.g. to make the unit dead on every starting image.</summary>
    public void SetConv1Bias(int channel, float value)
    {
        using var noGrad = no_grad();
        net.Conv1.bias![channel] = value;
    }

    public IReadOnlyDictionary<string, Tensor> Activations(Tensor pixels, IReadOnlyCollection<string> layers, bool preActivation = false)
    {
        int deepest = layers.Select(l => Layers.ToList().IndexOf(l) is var i and >= 0 ? i : throw new ArgumentException($"no layer {l}")).Max();
        var result = new Dictionary<string, Tensor>();
        using var scope = NewDisposeScope();
        var x = (pixels - mean) / std;
        for (int i = 0; i <= deepest; i++)
        {
            var pre = i switch
            {
                0 => net.Conv1.forward(x),
                1 => net.Conv2.forward(x),
                _ => net.Head.forward(x.mean([2, 3])),
            };
            var post = i < 2 ? functional.relu(pre) : pre;
            if (layers.Contains(Layers[i])) result[Layers[i]] = (preActivation ? pre : post).DetachFromDisposeScope();
            x = post;
        }
        return result;
    }

    public Tensor Logits(Tensor pixels)
    {
        var activations = Activations(pixels, ["logits"]);
        return activations["logits"];
    }

    public void Dispose()
    {
        net.Dispose();
        mean.Dispose();
        std.Dispose();
    }

    private sealed class Net : Module<Tensor, Tensor>
    {
        public readonly Conv2d Conv1 = Conv2d(3, 8, 3, padding: 1);
        public readonly Conv2d Conv2 = Conv2d(8, 16, 3, stride: 2, padding: 1);
        public readonly Linear Head = Linear(16, 5);

        public Net() : base("tiny-rgb")
        {
            RegisterComponents();
        }

        public override Tensor forward(Tensor input) => Head.forward(functional.relu(Conv2.forward(functional.relu(Conv1.forward(input)))).mean([2, 3]));
    }
}
