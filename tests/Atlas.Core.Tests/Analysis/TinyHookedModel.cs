using Atlas.Core.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Atlas.Core.Tests.Analysis;

/// <summary>
/// A tiny network built like the TorchVision zoo (named submodules run through <c>call</c>, an in-place
/// ReLU, a max-pool): stem = conv 1→3 + ReLU, mid = conv 3→4 + ReLU(in place), 2×2 max-pool, head =
/// linear 36→5, on 6×6 grayscale inputs. With <c>functionalRelu</c> mid's ReLU is a function call
/// instead of a module, which a linearized forward cannot see.
/// </summary>
internal sealed class TinyNet : Module<Tensor, Tensor>
{
    private readonly Sequential stem;
    private readonly Sequential mid;
    private readonly MaxPool2d pool;
    private readonly Linear head;
    private readonly bool functionalRelu;

    public TinyNet(bool functionalRelu = false) : base(nameof(TinyNet))
    {
        this.functionalRelu = functionalRelu;
        stem = Sequential(("conv", Conv2d(1, 3, 3, padding: 1)), ("relu", ReLU()));
        mid = functionalRelu
            ? Sequential(("conv", Conv2d(3, 4, 3, padding: 1)))
            : Sequential(("conv", Conv2d(3, 4, 3, padding: 1)), ("relu", ReLU(inplace: true)));
        pool = MaxPool2d(2);
        head = Linear(4 * 3 * 3, 5);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var y = stem.call(x);
        y = mid.call(y);
        if (functionalRelu) y = functional.relu(y);
        y = pool.call(y);
        return head.call(y.flatten(1)).MoveToOuterDisposeScope();
    }
}

/// <summary><see cref="IAtlasModel"/> over <see cref="TinyNet"/> that captures layers with forward hooks, as the zoo does.</summary>
internal sealed class TinyHookedModel : IAtlasModel
{
    private readonly TinyNet net;

    public TinyHookedModel(int seed = 3, bool functionalRelu = false)
    {
        TorchRuntime.Initialize();
        random.manual_seed(seed);
        net = new TinyNet(functionalRelu);
        net.eval();
        foreach (var parameter in net.parameters()) parameter.requires_grad = false;
    }

    public string Architecture => "tiny";
    public InputSpec Input { get; } = new(1, 6, 6, [0f], [1f]);
    public IReadOnlyList<string> LayerNames { get; } = ["stem", "mid", "head"];
    public IReadOnlyList<string> ClassNames { get; } = [];
    public nn.Module Network => net;

    /// <summary>A parameter by its state-dict name, as float64 for reference computations.</summary>
    public Tensor Weight(string name) => net.named_parameters().Single(p => p.name == name).parameter.detach().to(float64);

    public IReadOnlyDictionary<string, Tensor> Activations(Tensor pixels, IReadOnlyCollection<string> layers, bool preActivation = false)
    {
        var result = new Dictionary<string, Tensor>();
        var modules = net.named_modules().ToDictionary(m => m.name, m => m.module);
        var hooks = layers.Select(layer => ((Module<Tensor, Tensor>)modules[layer]).register_forward_hook((_, _, output) =>
        {
            result[layer] = output.alias().DetachFromDisposeScope();
            return null!;
        })).ToList();
        try
        {
            using var logits = net.call(pixels);
        }
        finally
        {
            foreach (var hook in hooks) hook.remove();
        }
        return result;
    }

    public Tensor Logits(Tensor pixels) => net.call(pixels);

    public void Dispose() => net.Dispose();
}
