using static TorchSharp.torch;

namespace Atlas.Core.Models.Zoo;

/// <summary>
/// Forward hooks for one forward pass: actions run before and after named modules, and the pass is cut
/// short before or after a given module by a private exception that only this class throws and catches. Hooks are
/// removed when the pass ends, however it ends.
/// </summary>
internal sealed class ForwardTaps
{
    private sealed class StopForward : Exception;

    private readonly Dictionary<string, List<Action<Tensor>>> before = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<Action<Tensor, Tensor>>> after = new(StringComparer.Ordinal);
    private string? stopAfter;
    private string? stopBefore;

    public void Before(string module, Action<Tensor> input) => Add(before, module, input);
    public void After(string module, Action<Tensor, Tensor> inputAndOutput) => Add(after, module, inputAndOutput);
    public void StopAfter(string module) => stopAfter = module;
    /// <summary>Ends the pass when <paramref name="module"/> is about to run, after the actions on its input.</summary>
    public void StopBefore(string module) => stopBefore = module;

    /// <summary>
    /// Runs <paramref name="network"/> on <paramref name="input"/>. Tensors the network creates are left
    /// to the caller's dispose scope; hook actions keep what they need by detaching it.
    /// </summary>
    public void Run(nn.Module<Tensor, Tensor> network, IReadOnlyDictionary<string, nn.Module<Tensor, Tensor>> modules, Tensor input)
    {
        var removals = new List<Action>();
        try
        {
            var beforePaths = before.Keys.ToList();
            if (stopBefore is not null && !before.ContainsKey(stopBefore)) beforePaths.Add(stopBefore);
            foreach (var path in beforePaths)
            {
                var actions = before.GetValueOrDefault(path) ?? [];
                bool stop = path == stopBefore;
                var hook = modules[path].register_forward_pre_hook((_, x) =>
                {
                    foreach (var action in actions) action(x);
                    if (stop) throw new StopForward();
                    return null!; // null keeps the input unchanged
                });
                removals.Add(hook.remove);
            }
            var afterPaths = after.Keys.ToList();
            if (stopAfter is not null && !after.ContainsKey(stopAfter)) afterPaths.Add(stopAfter);
            foreach (var path in afterPaths)
            {
                var actions = after.GetValueOrDefault(path) ?? [];
                bool stop = path == stopAfter;
                var hook = modules[path].register_forward_hook((_, x, y) =>
                {
                    foreach (var action in actions) action(x, y);
                    // Everything asked for has been captured once the deepest layer's module has returned.
                    if (stop) throw new StopForward();
                    return null!;
                });
                removals.Add(hook.remove);
            }
            try
            {
                network.call(input);
            }
            catch (StopForward)
            {
                // Expected: the modules the exception unwound through disposed their own scopes.
            }
        }
        finally
        {
            foreach (var remove in removals) remove();
        }
    }

    private static void Add<T>(Dictionary<string, List<T>> table, string module, T action)
    {
        if (!table.TryGetValue(module, out var list)) table[module] = list = [];
        list.Add(action);
    }
}
