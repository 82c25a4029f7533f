using TorchSharp;
using static TorchSharp.torch;

namespace Atlas.Core.Models;

/// <summary><see cref="IAtlasModel"/> over a <see cref="DemoCnn"/>, with its normalization built in.</summary>
public sealed class DemoCnnModel : IAtlasModel
{
    // Fashion-MNIST pixel statistics: inputs are standardised with these before the first conv.
    public static readonly InputSpec DefaultInput = new(1, 28, 28, [0.2860f], [0.3530f]);

    private readonly DemoCnn network;
    private readonly InputNormalization normalization;

    public DemoCnnModel(DemoCnn network, IReadOnlyList<string> classNames, InputSpec? input = null)
    {
        this.network = network;
        Input = input ?? DefaultInput;
        ClassNames = classNames;
        normalization = new InputNormalization(Input);
    }

    public string Architecture => DemoCnn.ArchitectureName;
    public InputSpec Input { get; }
    public IReadOnlyList<string> LayerNames => DemoCnn.Layers;
    public IReadOnlyList<string> ClassNames { get; }
    public TorchSharp.torch.nn.Module Network => network;
    public DemoCnn Cnn => network;

    public Tensor Normalize(Tensor pixels) => normalization.Apply(pixels);

    public ScalarType ComputeType => normalization.ComputeType;

    public void ConvertTo(ScalarType type)
    {
        network.to(type);
        normalization.ComputeType = type;
    }

    public IReadOnlyDictionary<string, Tensor> Activations(Tensor pixels, IReadOnlyCollection<string> layers, bool preActivation = false)
    {
        int deepest = layers.Select(l => IndexOf(l)).DefaultIfEmpty(-1).Max();
        var result = new Dictionary<string, Tensor>();
        using var normalized = Normalize(pixels);
        using var last = network.Stages(normalized, deepest + 1, (name, pre, post) =>
        {
            // Stage outputs live in the network's dispose scope; keep the ones asked for.
            if (layers.Contains(name)) result[name] = (preActivation ? pre : post).alias().DetachFromDisposeScope();
        });
        return result;
    }

    public Tensor Logits(Tensor pixels)
    {
        using var normalized = Normalize(pixels);
        return network.forward(normalized);
    }

    private int IndexOf(string layer)
    {
        int index = DemoCnn.Layers.ToList().IndexOf(layer);
        if (index < 0) throw new AtlasInputException($"model '{Architecture}' has no layer '{layer}' (layers: {string.Join(", ", DemoCnn.Layers)})");
        return index;
    }

    public void Dispose()
    {
        normalization.Dispose();
        network.Dispose();
    }
}
