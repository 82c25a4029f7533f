using Atlas.Core.Models.Zoo;
using static TorchSharp.torch;

namespace Atlas.Core.Models.Checkpoints;

/// <summary>
/// Which atlas layer a parameter feeds, found by watching the order in which modules start and finish
/// during one dry forward pass: a module feeds every layer whose module finishes after it starts, and
/// the first of those is the one to name in an error.
/// </summary>
internal static class ForwardOrder
{
    public static string FirstLayerFed(nn.Module<Tensor, Tensor> network, ZooArchitecture architecture, InputSpec input, string key)
    {
        var modules = network.named_modules().ToDictionary(m => m.name, m => m.module, StringComparer.Ordinal);
        var owner = key;
        do owner = owner.Contains('.') ? owner[..owner.LastIndexOf('.')] : "";
        while (owner.Length > 0 && !modules.ContainsKey(owner));
        if (owner.Length == 0) return architecture.Layers[0].Name;
        if (architecture.Wrap is not null)
        {
            // The demo runs its stages without module calls to watch; its layers are named after their modules.
            return architecture.Layers.FirstOrDefault(l => owner == l.Module || owner.StartsWith(l.Module + ".", StringComparison.Ordinal))?.Name
                ?? architecture.Layers[0].Name;
        }

        var started = new Dictionary<string, int>(StringComparer.Ordinal);
        var finished = new Dictionary<string, int>(StringComparer.Ordinal);
        int clock = 0;
        var removals = new List<Action>();
        try
        {
            foreach (var (name, module) in modules)
            {
                if (module is not nn.Module<Tensor, Tensor> typed || name.Length == 0) continue;
                removals.Add(typed.register_forward_pre_hook(_ => started.TryAdd(name, clock++)).remove);
                removals.Add(typed.register_forward_hook(_ => finished[name] = clock++).remove);
            }
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            network.call(zeros(1, input.Channels, input.Height, input.Width));
        }
        finally
        {
            foreach (var remove in removals) remove();
        }
        if (!started.TryGetValue(owner, out int start)) return architecture.Layers[0].Name;
        return architecture.Layers
            .Where(l => finished.TryGetValue(l.Module, out int end) && end > start)
            .OrderBy(l => finished[l.Module])
            .Select(l => l.Name)
            .FirstOrDefault() ?? architecture.Layers[^1].Name;
    }
}
