using Atlas.Core.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Atlas.Core.Analysis;

/// <summary>
/// <see cref="ILayerProbe"/> for models whose atlas layers are outputs of modules of their network (the
/// TorchVision zoo). Forward hooks replace a layer's output with a tensor of our own, so gradients and
/// the linearized forward work without touching the model's code. Hooks fire through
/// <c>Module.call</c>, which TorchVision uses for every submodule. Every tensor a hook returns is a
/// fresh handle: Sequential disposes its intermediate results.
/// </summary>
internal sealed class ModuleHookProbe : ILayerProbe
{
    private sealed class StopForward : Exception;

    private readonly IAtlasModel model;
    private readonly Func<string, string> modulePath;
    private readonly Dictionary<string, nn.Module> modules;
    private IReadOnlyDictionary<string, IReadOnlyList<(string Module, Tensor Weight)>>? weightsByLayer;

    /// <param name="modulePath">The module whose output is an atlas layer's activation.</param>
    public ModuleHookProbe(IAtlasModel model, Func<string, string> modulePath)
    {
        this.model = model;
        this.modulePath = modulePath;
        modules = model.Network.named_modules().Where(m => m.name.Length > 0)
            .GroupBy(m => m.name).ToDictionary(g => g.Key, g => g.First().module);
    }

    public IAtlasModel Model => model;

    public LayerForward LogitsThrough(Tensor pixels, string layer)
    {
        var module = ModuleOf(layer);
        Tensor? leaf = null;
        var hook = module.register_forward_hook((_, _, output) =>
        {
            if (leaf is not null) throw new InvalidOperationException($"layer '{layer}' runs more than once per forward; it cannot be probed");
            // A leaf of our own in place of the output: the rest of the network is a function of it alone.
            leaf = output.detach().requires_grad_(true).DetachFromDisposeScope();
            return leaf.clone();
        });
        try
        {
            var logits = model.Logits(pixels);
            if (leaf is null)
            {
                logits.Dispose();
                throw new InvalidOperationException($"layer '{layer}' was not reached by the forward pass");
            }
            return new LayerForward(leaf, logits);
        }
        catch
        {
            leaf?.Dispose();
            throw;
        }
        finally
        {
            hook.remove();
        }
    }

    /// <summary>Layers of a module graph may be joined through branches; only expanded weights are offered.</summary>
    public Tensor? DirectWeights(string from, string to) => null;

    public bool CanLinearize(string from, string to) => true;

    public Tensor LinearizedActivation(Tensor substitute, string from, string to)
    {
        var source = ModuleOf(from);
        var target = ModuleOf(to);
        var hooks = new List<Action>();
        Tensor? captured = null;
        try
        {
            // One forward hook per module that does all this pass needs of it, in this order: linearize it, put the
            // substitute in place of the source's output, capture the target's output. TorchSharp runs a module's
            // hooks in the order of a dictionary from which earlier passes removed theirs, so separate hooks on one
            // module (the source or target may be a ReLU: ResNet's stem, AlexNet's and VGG's layers) run in no fixed order.
            foreach (var module in modules.Values.Append(source).Append(target).Distinct(ReferenceEqualityComparer.Instance).Cast<nn.Module>())
            {
                var linearized = Linearize(module, hooks);
                bool isSource = ReferenceEquals(module, source), isTarget = ReferenceEquals(module, target);
                if (linearized is null && !isSource && !isTarget) continue;
                hooks.Add(((nn.Module<Tensor, Tensor>)module).register_forward_hook((_, input, output) =>
                {
                    var result = linearized?.Invoke(input, output);
                    if (isSource) result = substitute.clone();
                    if (isTarget)
                    {
                        // Nothing after the target needs to run.
                        captured = (result ?? output).alias().DetachFromDisposeScope();
                        throw new StopForward();
                    }
                    return result!;
                }).remove);
            }

            // One image is enough: whatever runs before the source is replaced by the substitute's batch.
            using var pixels = zeros(1, model.Input.Channels, model.Input.Height, model.Input.Width, device: substitute.device);
            try
            {
                using var logits = model.Logits(pixels);
            }
            catch (StopForward)
            {
                // Expected: the target's output is all this pass was for.
            }
            return captured ?? throw new InvalidOperationException($"layer '{to}' was not reached by the forward pass");
        }
        finally
        {
            foreach (var remove in hooks) remove();
        }
    }

    public IReadOnlyList<Tensor> LayerWeights(string layer) => WeightsByLayer().GetValueOrDefault(layer)?.Select(w => w.Weight).ToList() ?? [];

    /// <summary>The first layer's first convolution, when it reads the image's channels.</summary>
    public Tensor? InputFilters(string layer)
    {
        if (model.LayerNames.Count == 0 || model.LayerNames[0] != layer) return null;
        var first = WeightsByLayer().GetValueOrDefault(layer)?.FirstOrDefault(w => w.Weight.dim() == 4);
        return first is { } conv && conv.Weight.shape[1] == model.Input.Channels ? conv.Weight : null;
    }

    /// <summary>
    /// Which weights compute each atlas layer: those of the modules that run after the previous atlas layer's
    /// module returned and before this layer's module returned, found with one recorded forward pass
    /// (a layer's module need not hold them: VGG's layers are the ReLU modules after their convolutions).
    /// </summary>
    private IReadOnlyDictionary<string, IReadOnlyList<(string Module, Tensor Weight)>> WeightsByLayer()
    {
        if (weightsByLayer is not null) return weightsByLayer;
        var layerOfModule = model.LayerNames.GroupBy(modulePath).ToDictionary(g => g.Key, g => g.ToList());
        var result = model.LayerNames.ToDictionary(l => l, _ => new List<(string, Tensor)>());
        var pending = new List<(string, Tensor)>();
        var hooks = new List<Action>();
        foreach (var (name, module) in modules)
        {
            if (module is not nn.Module<Tensor, Tensor> typed) continue;
            bool leaf = !module.children().Any();
            var weights = leaf ? module.named_parameters(recurse: false).Where(p => p.parameter.dim() >= 2).Select(p => (name, (Tensor)p.parameter)).ToList() : [];
            var layers = layerOfModule.GetValueOrDefault(name);
            if (weights.Count == 0 && layers is null) continue;
            hooks.Add(typed.register_forward_hook((_, _, _) =>
            {
                pending.AddRange(weights);
                foreach (var layer in layers ?? [])
                {
                    result[layer].AddRange(pending);
                    pending.Clear();
                }
                return null!;
            }).remove);
        }
        try
        {
            using var noGrad = no_grad();
            using var pixels = zeros(1, model.Input.Channels, model.Input.Height, model.Input.Width, device: ModelDevice.Of(model));
            using var logits = model.Logits(pixels);
        }
        finally
        {
            foreach (var remove in hooks) remove();
        }
        return weightsByLayer = result.ToDictionary(r => r.Key, r => (IReadOnlyList<(string, Tensor)>)r.Value);
    }

    /// <summary>
    /// How a module's output is replaced on the linearized network, as a function of its input and output (null: it
    /// is kept): ReLU-like modules (Hardswish among them) become the identity and max-pools average pools of the same
    /// window. A ReLU also gets a pre-hook, added to <paramref name="hooks"/>, because in place it would overwrite its
    /// input. A squeeze-and-excitation block (MobileNetV3's) passes its input on: its gate, a factor in (0, 1) per
    /// channel computed from the whole picture, is what makes the block non-linear, and counting it as 1 is what
    /// counting a ReLU as the identity does to a rectifier.
    /// </summary>
    private static Func<Tensor, Tensor, Tensor>? Linearize(nn.Module module, List<Action> hooks)
    {
        switch (module)
        {
            case ReLU or ReLU6 or LeakyReLU or Hardswish:
            {
                var rectifier = (nn.Module<Tensor, Tensor>)module;
                Tensor? original = null;
                // In-place ReLUs overwrite their input: give them a copy and pass the original on.
                hooks.Add(rectifier.register_forward_pre_hook((_, input) =>
                {
                    original = input;
                    return input.clone();
                }).remove);
                return (_, _) => original!.alias();
            }
            case torchvision.SqueezeExcitation:
                return (input, _) => input.alias();
            case MaxPool2d pool:
                if (pool.dilation is { } dilation && dilation.Any(d => d != 1)) return null; // no average-pool equivalent; the affinity check will refuse
                return (input, _) => nn.functional.avg_pool2d(input, pool.kernel_size, pool.stride ?? pool.kernel_size, pool.padding ?? [0, 0], pool.ceil_mode, count_include_pad: false);
            default:
                return null;
        }
    }

    private nn.Module<Tensor, Tensor> ModuleOf(string layer)
    {
        LayerProbes.RequireLayer(model, layer);
        var path = modulePath(layer);
        if (modules.GetValueOrDefault(path) is nn.Module<Tensor, Tensor> module) return module;
        throw new AtlasInputException($"model '{model.Architecture}': layer '{layer}' is not the output of a module of its network ('{path}'), so it cannot be probed for gradients or circuits");
    }
}
