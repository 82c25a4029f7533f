using System.Runtime.CompilerServices;
using TorchSharp;
using static TorchSharp.torch;

namespace Atlas.Core.Models.TorchScript;

/// <summary>
/// <see cref="IAtlasModel"/> over a TorchScript module whose forward returns the tensors the config names in
/// model.outputs (a tuple, a list or one tensor). The atlas cannot look inside compiled code, so its layers are
/// those outputs. Asking for some layers runs the archive's earliest stop that returns them all (see
/// <see cref="TorchScriptStops"/>), or else the whole forward. A layer's value before its ReLU
/// is another output that model.preActivations names (not a layer itself); without one, a layer is read as returned.
/// Normalization of [0,1] pixels (model.mean/std) happens here.
/// </summary>
public sealed class TorchScriptModel : IAtlasModel
{
    private readonly jit.ScriptModule module;
    private readonly InputNormalization normalization;
    private readonly IReadOnlyList<string> outputNames;
    // Every output's place in the forward's result, layers and pre-activation values alike.
    private readonly Dictionary<string, int> positions;
    private readonly IReadOnlyDictionary<string, string> preActivations;
    private readonly TorchScriptStops stops;
    private readonly TorchScriptLinearPaths linear;

    /// <param name="outputs">model.outputs: the forward's results, in order.</param>
    /// <param name="preActivations">model.preActivations: layer → the output holding its value before its ReLU.</param>
    public TorchScriptModel(jit.ScriptModule module, InputSpec input, IReadOnlyList<string> outputs, IReadOnlyDictionary<string, string> preActivations,
        IReadOnlyList<string> classNames, string codeDigest, TorchScriptStops? stops = null, TorchScriptLinearPaths? linear = null)
    {
        this.module = module;
        this.stops = stops ?? TorchScriptStops.None;
        this.linear = linear ?? TorchScriptLinearPaths.None;
        outputNames = outputs;
        this.preActivations = preActivations;
        CodeDigest = codeDigest;
        Input = input;
        LayerNames = TorchScriptInput.LayerNames(outputs, preActivations);
        ClassNames = classNames;
        positions = outputs.Select((name, i) => (name, i)).ToDictionary(p => p.name, p => p.i, StringComparer.Ordinal);
        normalization = new InputNormalization(input);
    }

    public string Architecture => TorchScriptInput.ArchitectureName;
    public InputSpec Input { get; }
    public IReadOnlyList<string> LayerNames { get; }
    public IReadOnlyList<string> ClassNames { get; }
    public nn.Module Network => module;
    public ScalarType ComputeType => normalization.ComputeType;
    public string CodeDigest { get; }

    public void ConvertTo(ScalarType type)
    {
        module.to(type);
        normalization.ComputeType = type;
    }

    /// <summary>
    /// Every output of one forward pass, in model.outputs order. The caller owns and disposes them: as the zoo models'
    /// activations, they belong to no dispose scope of the caller's.
    /// </summary>
    public IReadOnlyList<Tensor> Forward(Tensor pixels) => Run(pixels, null, outputNames.Count);

    /// <summary>Runs <paramref name="stop"/>'s method (forward when null) on the normalized pixels; <paramref name="expected"/> is how many tensors it returns.</summary>
    private IReadOnlyList<Tensor> Run(Tensor pixels, TorchScriptStop? stop, int expected)
    {
        TorchScriptExecutor.EnsureUnoptimized();
        IReadOnlyList<Tensor> outputs;
        using (var scope = NewDisposeScope())
        {
            using var normalized = normalization.Apply(pixels);
            outputs = Unpack(stop is null ? module.call(normalized) : module.invoke(stop.Method, normalized));
            foreach (var output in outputs) output.DetachFromDisposeScope();
        }
        if (outputs.Count != expected)
        {
            foreach (var output in outputs) output.Dispose();
            throw new AtlasInputException(stop is null
                ? $"model.outputs: names {Counted.Of(outputNames.Count, "output")} ({string.Join(", ", outputNames)}), but the TorchScript module's forward returned {Counted.Of(outputs.Count, "tensor")}"
                : $"early stop '{stop.Method}' returned {Counted.Of(outputs.Count, "tensor")}, but {TorchScriptArchive.ExtraFileName} lists {expected}");
        }
        return outputs;
    }

    /// <summary>The stop that will run when <paramref name="layers"/> are asked for (null: the whole forward); for tests and logs.</summary>
    public TorchScriptStop? StopFor(IReadOnlyCollection<string> layers, bool preActivation = false) =>
        stops.EarliestWith(Positions(layers, preActivation).Values.ToList());

    public IReadOnlyDictionary<string, Tensor> Activations(Tensor pixels, IReadOnlyCollection<string> layers, bool preActivation = false)
    {
        var read = Positions(layers, preActivation);
        // The earliest stop that returns every wanted output, so an early layer does not pay for the network after it.
        var stop = stops.EarliestWith(read.Values.ToList());
        var returned = stop?.Outputs ?? Enumerable.Range(0, outputNames.Count).ToList();
        var outputs = Run(pixels, stop, returned.Count);
        var byPosition = returned.Select((position, i) => (position, tensor: outputs[i])).ToDictionary(p => p.position, p => p.tensor);
        // Two layers never share an output, but a tensor may serve one layer only: the caller disposes each.
        var results = read.ToDictionary(r => r.Key, r => byPosition[r.Value], StringComparer.Ordinal);
        // The run computed outputs nobody asked for; they are freed now rather than by the collector (device memory).
        foreach (var unused in outputs.Where(o => !results.Values.Any(r => ReferenceEquals(r, o)))) unused.Dispose();
        return results;
    }

    /// <summary>Where each wanted layer's tensor is among forward's outputs; a layer with a pre-activation output gives that output when asked for the value before its ReLU.</summary>
    private Dictionary<string, int> Positions(IReadOnlyCollection<string> layers, bool preActivation) =>
        layers.Distinct().ToDictionary(layer => layer,
            layer => preActivation && preActivations.TryGetValue(layer, out var before) ? positions[before] : PositionOf(layer), StringComparer.Ordinal);

    /// <summary>Whether the archive has a linearized path from layer <paramref name="from"/> to layer <paramref name="to"/> (for circuits).</summary>
    public bool HasLinearPath(string from, string to) => linear.Between(PositionOf(from), PositionOf(to)) is not null;

    /// <summary>
    /// <paramref name="to"/>'s output on the linearized network with <paramref name="from"/>'s output replaced by
    /// <paramref name="substitute"/> (the archive's linearized path; see <see cref="TorchScriptLinearPaths"/>). What runs
    /// before <paramref name="from"/> is replaced, so blank pixels of one image stand in for the input.
    /// </summary>
    public Tensor Linearized(Tensor substitute, string from, string to)
    {
        var path = linear.Between(PositionOf(from), PositionOf(to))
            ?? throw new InvalidOperationException($"the TorchScript archive has no linearized path from '{from}' to '{to}'");
        TorchScriptExecutor.EnsureUnoptimized();
        using var pixels = zeros(1, Input.Channels, Input.Height, Input.Width, dtype: ComputeType, device: substitute.device);
        return Unpack(module.invoke(path.Method, pixels, substitute)) is [var output] ? output
            : throw new AtlasInputException($"linearized path '{path.Method}' returned more than one tensor");
    }

    /// <summary>Where the logits are among the forward's outputs: the last layer's output (N×classes when there are logits).</summary>
    public int LogitsPosition => positions[LayerNames[^1]];

    /// <summary>The last layer's output: the logits, when it is N×classes.</summary>
    public Tensor Logits(Tensor pixels)
    {
        var outputs = Forward(pixels);
        foreach (var (other, _) in outputs.Select((o, i) => (o, i)).Where(p => p.i != LogitsPosition)) other.Dispose();
        return outputs[LogitsPosition];
    }

    /// <summary>Where layer <paramref name="layer"/> is among the forward's outputs; anything but a layer is an input error listing them.</summary>
    public int PositionOf(string layer) =>
        LayerNames.Contains(layer) && positions.TryGetValue(layer, out int position)
            ? position
            : throw new AtlasInputException($"model '{Architecture}' has no layer '{layer}' (layers: {string.Join(", ", LayerNames)})");

    /// <summary>
    /// TorchSharp hands a TorchScript result back as a tensor, a tensor array (lists, and tuples of more than a few
    /// elements) or a value tuple (short tuples).
    /// </summary>
    public static IReadOnlyList<Tensor> Unpack(object result)
    {
        switch (result)
        {
            case Tensor single:
                return [single];
            case Tensor[] many:
                return many;
            case ITuple tuple:
                var items = Enumerable.Range(0, tuple.Length).Select(i => tuple[i]).ToList();
                if (items.All(item => item is Tensor)) return items.Cast<Tensor>().ToList();
                foreach (var tensor in items.OfType<Tensor>()) tensor.Dispose();
                throw new AtlasInputException($"model.outputs: the TorchScript module's forward returned a tuple holding {string.Join(", ", items.Select(i => i?.GetType().Name ?? "None").Distinct())}; every element must be a tensor");
            default:
                throw new AtlasInputException($"model.outputs: the TorchScript module's forward returned {result?.GetType().Name ?? "None"}; it must return a tensor, or a tuple or list of tensors");
        }
    }

    public void Dispose()
    {
        normalization.Dispose();
        module.Dispose();
    }
}
