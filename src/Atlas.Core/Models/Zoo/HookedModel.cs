using Atlas.Core.Models.Branches;
using TorchSharp;
using static TorchSharp.torch;

namespace Atlas.Core.Models.Zoo;

/// <summary>
/// <see cref="IAtlasModel"/> over a TorchVision network: activations are read with forward hooks on
/// the modules its <see cref="ZooArchitecture"/> names, and the forward pass stops after the deepest
/// requested layer. Normalization of [0,1] pixels happens here. Not thread-safe: hooks are registered
/// for the duration of one call.
/// </summary>
public sealed class HookedModel : IAtlasModel, IBranchedActivations
{
    private readonly ZooArchitecture architecture;
    private readonly nn.Module<Tensor, Tensor> network;
    private Dictionary<string, nn.Module<Tensor, Tensor>> modules;
    private readonly Dictionary<string, int> order;
    private readonly InputNormalization normalization;
    private readonly Dictionary<string, IBranchedBlock?> branched = new(StringComparer.Ordinal);

    public HookedModel(ZooArchitecture architecture, nn.Module<Tensor, Tensor> network, InputSpec input, IReadOnlyList<string> classNames)
    {
        this.architecture = architecture;
        this.network = network;
        Input = input;
        ClassNames = classNames;
        LayerNames = architecture.Layers.Select(l => l.Name).ToList();
        order = architecture.Layers.Select((l, i) => (l.Name, i)).ToDictionary(p => p.Name, p => p.i, StringComparer.Ordinal);
        modules = HookedModules();
        normalization = new InputNormalization(input);
    }

    /// <summary>The modules the layer catalog names, by path: where the forward hooks go.</summary>
    private Dictionary<string, nn.Module<Tensor, Tensor>> HookedModules()
    {
        var all = network.named_modules().ToDictionary(m => m.name, m => m.module, StringComparer.Ordinal);
        var found = new Dictionary<string, nn.Module<Tensor, Tensor>>(StringComparer.Ordinal);
        foreach (var path in architecture.Layers.SelectMany(ModulePaths).Distinct())
        {
            // A catalog naming a module the network lacks is a bug in the catalog, caught by the zoo tests.
            if (!all.TryGetValue(path, out var module) || module is not nn.Module<Tensor, Tensor> typed)
                throw new InvalidOperationException($"{architecture.Name}: the layer catalog names module '{path}', which the network does not have");
            found[path] = typed;
        }
        return found;
    }

    public string Architecture => architecture.Name;
    public InputSpec Input { get; }
    public IReadOnlyList<string> LayerNames { get; }
    public IReadOnlyList<string> ClassNames { get; }
    public nn.Module Network => network;
    public IReadOnlyList<HookedLayer> Layers => architecture.Layers;

    public Tensor Normalize(Tensor pixels) => normalization.Apply(pixels);

    public ScalarType ComputeType => normalization.ComputeType;

    public void ConvertTo(ScalarType type)
    {
        network.to(type);
        normalization.ComputeType = type;
    }

    public int FoldBatchNorm()
    {
        int folded = BatchNormFolding.Apply(network);
        Rehook(); // a folded batch norm's name now belongs to an identity module
        return folded;
    }

    public int SpaceToDepthInputConvolutions()
    {
        int replaced = InputConvolution.Apply(network);
        Rehook(); // an atlas layer may be the replaced convolution itself (AlexNet's conv1)
        return replaced;
    }

    public int MergeBranchConvolutions()
    {
        int merged = InceptionMerging.Apply(network);
        Rehook(); // the merged blocks' branch ReLUs are new modules under the old names
        return merged;
    }

    /// <summary>Finds the hooked modules again after a working-copy rewrite replaced some.</summary>
    private void Rehook()
    {
        modules = HookedModules();
        branched.Clear();
    }

    public IReadOnlyList<long>? BranchChannels(string layer) => Branched(Layer(layer))?.BranchChannels;

    /// <summary>
    /// The layer's block as branches, where its pre-activation is its branches' ReLU inputs, one per branch, and with
    /// <see cref="PreActivationTap.ReluInputs.RestOfOutput"/> one more branch without a ReLU (a reduction's max-pool):
    /// the block then computes both the output and the pre-activation the hooks would read.
    /// </summary>
    private IBranchedBlock? Branched(HookedLayer layer)
    {
        if (!branched.TryGetValue(layer.Name, out var block))
        {
            block = layer.Pre is PreActivationTap.ReluInputs relus && relus.Modules.Count > 1
                && BranchedBlocks.Of(modules[layer.Module]) is { } found
                && found.BranchChannels.Count == relus.Modules.Count + (relus.RestOfOutput ? 1 : 0)
                && found.BranchChannels.Sum() == layer.Channels ? found : null;
            branched[layer.Name] = block;
        }
        return block;
    }

    public Tensor BranchActivations(Tensor pixels, string layer, BranchRows rows, bool preActivation)
    {
        var hooked = Layer(layer);
        var block = Branched(hooked) ?? throw new InvalidOperationException($"{Architecture}: layer '{layer}' is not a branched block");
        if (rows.Total != pixels.shape[0])
            throw new ArgumentException($"{rows.Total} rows laid out for {pixels.shape[0]} images", nameof(rows));
        Tensor? input = null;
        var taps = new ForwardTaps();
        // The block's input outlives the modules' dispose scopes that the stop unwinds, as a captured output does.
        taps.Before(hooked.Module, x => input = x.alias().DetachFromDisposeScope());
        taps.StopBefore(hooked.Module);
        try
        {
            using var scope = NewDisposeScope();
            using var normalized = Normalize(pixels);
            taps.Run(network, modules, normalized);
            if (input is null) throw new InvalidOperationException($"{Architecture}: module '{hooked.Module}' of layer '{layer}' did not run");
            return block.Forward(input, rows, preActivation).MoveToOuterDisposeScope();
        }
        finally
        {
            input?.Dispose();
        }
    }

    public IReadOnlyDictionary<string, Tensor> Activations(Tensor pixels, IReadOnlyCollection<string> layers, bool preActivation = false)
    {
        var wanted = layers.Distinct().Select(Layer).OrderBy(l => order[l.Name]).ToList();
        var results = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        if (wanted.Count == 0) return results;

        var kept = new List<Tensor>();
        // Captured tensors are created inside the modules' own dispose scopes; detaching keeps them alive
        // past the module's return, and `kept` makes sure they are freed if the pass fails.
        Tensor Keep(Tensor t)
        {
            kept.Add(t);
            return t.DetachFromDisposeScope();
        }

        var taps = new ForwardTaps();
        foreach (var layer in wanted)
        {
            var name = layer.Name;
            switch (preActivation ? layer.Pre : PreActivationTap.None)
            {
                case PreActivationTap.ReluInputs relus:
                    var parts = new Tensor?[relus.Modules.Count];
                    for (int i = 0; i < parts.Length; i++)
                    {
                        int part = i;
                        // The ReLU runs in place: copy its input before it is overwritten.
                        taps.Before(relus.Modules[part], input => parts[part] = Keep(input.clone()));
                    }
                    taps.After(layer.Module, (_, output) =>
                    {
                        if (parts.Length == 1 && !relus.RestOfOutput) results[name] = parts[0]!;
                        else
                        {
                            long made = parts.Sum(p => p!.shape[1]);
                            var pieces = parts.Select(p => p!).ToList();
                            if (relus.RestOfOutput) pieces.Add(output[.., TensorIndex.Slice(made)]);
                            results[name] = Keep(cat(pieces, 1));
                            foreach (var p in parts) p!.Dispose();
                        }
                    });
                    break;
                default:
                    taps.After(layer.Module, (_, output) => results[name] = Keep(output.alias()));
                    break;
            }
        }
        taps.StopAfter(wanted[^1].Module);

        try
        {
            using var scope = NewDisposeScope();
            using var normalized = Normalize(pixels);
            taps.Run(network, modules, normalized);
            foreach (var layer in wanted)
            {
                if (!results.ContainsKey(layer.Name))
                    throw new InvalidOperationException($"{Architecture}: module '{layer.Module}' of layer '{layer.Name}' did not run");
            }
            return results;
        }
        catch
        {
            foreach (var t in kept) t.Dispose();
            throw;
        }
    }

    public Tensor Logits(Tensor pixels)
    {
        using var normalized = Normalize(pixels);
        return network.call(normalized);
    }

    private HookedLayer Layer(string name) =>
        order.TryGetValue(name, out int index)
            ? architecture.Layers[index]
            : throw new AtlasInputException($"model '{Architecture}' has no layer '{name}' (layers: {string.Join(", ", LayerNames)})");

    private static IEnumerable<string> ModulePaths(HookedLayer layer) => layer.Pre switch
    {
        PreActivationTap.ReluInputs r => [layer.Module, .. r.Modules],
        _ => [layer.Module],
    };

    public void Dispose()
    {
        normalization.Dispose();
        network.Dispose();
    }
}
