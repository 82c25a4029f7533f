using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Atlas.Core.Models;

/// <summary>
/// The demo network for 28×28 grayscale images: three 3×3 conv layers (16, 32, 64 channels) with
/// ReLU, max-pooling after the first two, and a linear logits layer on the flattened 64×7×7 map.
/// Small enough to train in minutes on two CPU cores and still reach ~90 % on Fashion-MNIST.
/// Field names are the state-dict keys, so checkpoints read as conv1.weight, …, logits.bias.
/// </summary>
public sealed class DemoCnn : Module<Tensor, Tensor>
{
    public const string ArchitectureName = "demo-cnn";
    public static readonly IReadOnlyList<string> Layers = ["conv1", "conv2", "conv3", "logits"];

    // Field names matter: TorchSharp uses them as state-dict keys.
    private readonly Conv2d conv1;
    private readonly Conv2d conv2;
    private readonly Conv2d conv3;
    private readonly Linear logits;

    public DemoCnn(int inputChannels = 1, int classes = 10) : base(nameof(DemoCnn))
    {
        conv1 = Conv2d(inputChannels, 16, 3, padding: 1);
        conv2 = Conv2d(16, 32, 3, padding: 1);
        conv3 = Conv2d(32, 64, 3, padding: 1);
        logits = Linear(64 * 7 * 7, classes);
        RegisterComponents();
    }

    public override Tensor forward(Tensor normalized) => Stages(normalized, Layers.Count, (_, _, _) => { });

    /// <summary>
    /// Runs the first <paramref name="stageCount"/> stages, reporting each stage's (name, pre-ReLU,
    /// post-ReLU) output to <paramref name="tap"/>, and returns the last computed tensor.
    /// </summary>
    public Tensor Stages(Tensor x, int stageCount, Action<string, Tensor, Tensor> tap)
    {
        using var scope = NewDisposeScope();
        Tensor current = x;
        for (int i = 0; i < stageCount; i++)
        {
            var name = Layers[i];
            Tensor pre = name switch
            {
                "conv1" => conv1.forward(current),
                "conv2" => conv2.forward(functional.max_pool2d(current, 2)),
                "conv3" => conv3.forward(functional.max_pool2d(current, 2)),
                _ => logits.forward(current.flatten(1)),
            };
            Tensor post = name == "logits" ? pre : functional.relu(pre);
            tap(name, pre, post);
            current = post;
        }
        return current.MoveToOuterDisposeScope();
    }
}
