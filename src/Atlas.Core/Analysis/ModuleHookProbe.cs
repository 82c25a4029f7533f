using Atlas.Core.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Atlas.Core.Analysis;

/// <summary>
/// <see cref="ILayerProbe"/> for models whose atlas layers are named modules of their network (the
/// TorchVision zoo). Forward hooks replace a layer's output with a tensor of our own, so gradients
/// and the linearized forward work without touching the model's code. Hooks fire through
/// <c>Module.call</c>, which TorchVision uses for every submodule.
/// Every tensor a hook returns is a fresh handle: Sequential disposes its intermediate results.
/// </summary>
internal sealed class ModuleHookProbe(IAtlasModel model) : ILayerProbe
{
    private readonly ParameterIndex parameters = new(model);
    private readonly Dictionary<string, nn.Module> modules = model.Network.named_modules()
        .Where(m => m.name.Length > 0)
        .GroupBy(m => m.name).ToDictionary(g => g.Key, g => g.First().module);

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

    public bool CanLinearize => true;

    public Tensor LinearizedActivation(Tensor substitute, string from, string to)
    {
        var source = ModuleOf(from);
        var target = ModuleOf(to);
        var hooks = new List<Action>();
        Tensor? captured = null;
        try
        {
            hooks.Add(source.register_forward_hook((_, _, _) => substitute.clone()).remove);
            hooks.Add(target.register_forward_hook((_, _, output) =>
            {
                captured ??= output.alias().DetachFromDisposeScope();
                return null!; // keep the output
            }).remove);
            foreach (var module in modules.Values) Linearize(module, hooks);

            using var pixels = zeros(substitute.shape[0], model.Input.Channels, model.Input.Height, model.Input.Width, device: substitute.device);
            using var logits = model.Logits(pixels);
            return captured ?? throw new InvalidOperationException($"layer '{to}' was not reached by the forward pass");
        }
        finally
        {
            foreach (var remove in hooks) remove();
        }
    }

    public IReadOnlyList<Tensor> LayerWeights(string layer) => parameters.Under(layer);

    public Tensor? InputFilters(string layer) => parameters.InputFilters(layer);

    /// <summary>ReLU-like modules become the identity and max-pools average pools of the same window.</summary>
    private static void Linearize(nn.Module module, List<Action> hooks)
    {
        switch (module)
        {
            case ReLU or ReLU6 or LeakyReLU:
            {
                var rectifier = (nn.Module<Tensor, Tensor>)module;
                Tensor? original = null;
                // In-place ReLUs overwrite their input: give them a copy and pass the original on.
                hooks.Add(rectifier.register_forward_pre_hook((_, input) =>
                {
                    original = input;
                    return input.clone();
                }).remove);
                hooks.Add(rectifier.register_forward_hook((_, _, _) => original!.alias()).remove);
                break;
            }
            case MaxPool2d pool:
                if (pool.dilation is { } dilation && dilation.Any(d => d != 1)) return; // no average-pool equivalent; the affinity check will refuse
                hooks.Add(pool.register_forward_hook((_, input, _) =>
                    nn.functional.avg_pool2d(input, pool.kernel_size, pool.stride ?? pool.kernel_size, pool.padding ?? [0, 0], pool.ceil_mode, count_include_pad: false)).remove);
                break;
        }
    }

    private nn.Module<Tensor, Tensor> ModuleOf(string layer)
    {
        LayerProbes.RequireLayer(model, layer);
        if (modules.GetValueOrDefault(layer) is nn.Module<Tensor, Tensor> module) return module;
        throw new AtlasInputException($"model '{model.Architecture}': layer '{layer}' is not a module of its network, so it cannot be probed for gradients or circuits");
    }
}
