using static TorchSharp.torch;

namespace Atlas.Core.Rendering;

/// <summary>
/// A different objective for every batch element, compiled for one optimisation: every term use is
/// grouped by its term's fuse key (kind and layer), each group is evaluated by one fused operation,
/// and the weighted results are scattered back onto their rows. The result is a per-element vector
/// [B]; the optimiser maximises its sum, and since no row's value depends on another row (except
/// through batch-wide terms such as diversity, which compare rows of one group only), each element
/// follows the gradient of its own objective.
/// </summary>
public sealed class ObjectiveBatch : IDisposable
{
    private readonly List<Fused> fused;
    private readonly Device device;
    private readonly IReadOnlyList<ActivationTarget> targets;
    private readonly Tensor preRows;

    private ObjectiveBatch(int count, List<Fused> fused, Device device, IReadOnlyList<ActivationTarget> targets)
    {
        Count = count;
        this.fused = fused;
        this.device = device;
        this.targets = targets;
        preRows = tensor(targets.Select(t => t == ActivationTarget.PreRelu).ToArray(), device: device);
    }

    /// <summary>Number of batch rows.</summary>
    public int Count { get; }

    /// <summary>Every layer some row's objective reads.</summary>
    public IReadOnlyCollection<string> Layers => fused.Select(f => f.Layer).Distinct().ToList();

    /// <param name="rows">Row b's objective.</param>
    /// <param name="groups">Row b's group for batch-wide terms (null: the whole batch is one group).</param>
    /// <param name="targets">Row b's activation target (null: rectified for every row).</param>
    public static ObjectiveBatch Compile(IReadOnlyList<Objective> rows, IReadOnlyList<int>? groups, Device? device = null,
        IReadOnlyList<ActivationTarget>? targets = null)
    {
        if (rows.Count == 0) throw new ArgumentException("an objective batch needs at least one row", nameof(rows));
        if (groups is not null && groups.Count != rows.Count)
            throw new ArgumentException($"{groups.Count} groups for {rows.Count} rows", nameof(groups));
        if (targets is not null && targets.Count != rows.Count)
            throw new ArgumentException($"{targets.Count} activation targets for {rows.Count} rows", nameof(targets));
        device ??= CPU;
        var uses = new List<(TermUse Use, double Weight, bool Relative)>();
        for (int row = 0; row < rows.Count; row++)
        {
            foreach (var (weight, term, relative) in rows[row].Terms)
                uses.Add((new TermUse(row, term, groups?[row] ?? 0), weight, relative));
        }
        var fused = uses
            // Absolute terms first: relative ones scale with the rows' absolute totals.
            .GroupBy(u => (u.Relative, u.Use.Term.FuseKey))
            .OrderBy(g => g.Key.Relative)
            .Select(g =>
            {
                var list = g.ToList();
                var evaluator = list[0].Use.Term.CreateEvaluator(list.Select(u => u.Use).ToList(), device);
                var rowIndex = tensor(list.Select(u => (long)u.Use.Row).ToArray(), device: device);
                var weights = tensor(list.Select(u => (float)u.Weight).ToArray(), device: device);
                return new Fused(list[0].Use.Term.Layer, evaluator, rowIndex, weights, g.Key.Relative);
            })
            .ToList();
        return new ObjectiveBatch(rows.Count, fused, device, targets ?? Enumerable.Repeat(ActivationTarget.Rectified, rows.Count).ToList());
    }

    /// <summary>Per-row objective values [B], differentiable with respect to the activations.</summary>
    /// <param name="reading">How the activations were taken (null: layer outputs, used as given).</param>
    public Tensor Evaluate(IReadOnlyDictionary<string, Tensor> activations, ActivationReading? reading = null)
    {
        reading ??= ActivationReading.AsGiven;
        var dtype = activations.Values.First().dtype;
        using var scope = NewDisposeScope();
        var total = zeros(Count, dtype: dtype, device: device);
        var views = new Dictionary<string, Tensor>();
        Tensor? absolute = null;
        foreach (var f in fused)
        {
            if (!activations.TryGetValue(f.Layer, out var given))
                throw new ArgumentException($"no activation for layer '{f.Layer}' (have: {string.Join(", ", activations.Keys)})", nameof(activations));
            if (given.shape[0] != Count)
                throw new ArgumentException($"layer '{f.Layer}' has {given.shape[0]} images for an objective batch of {Count}", nameof(activations));
            if (!views.TryGetValue(f.Layer, out var activation))
                views[f.Layer] = activation = reading.View(f.Layer, given, targets, preRows);
            var values = f.Evaluator.Evaluate(activation) * f.Weights.to(dtype);
            if (f.Relative)
            {
                absolute ??= total.detach().abs();
                values = values * absolute.index_select(0, f.Rows);
            }
            total = total.index_add(0, f.Rows, values, 1);
        }
        return total.MoveToOuterDisposeScope();
    }

    public void Dispose()
    {
        preRows.Dispose();
        foreach (var f in fused)
        {
            f.Evaluator.Dispose();
            f.Rows.Dispose();
            f.Weights.Dispose();
        }
    }

    private sealed record Fused(string Layer, ITermEvaluator Evaluator, Tensor Rows, Tensor Weights, bool Relative);
}
