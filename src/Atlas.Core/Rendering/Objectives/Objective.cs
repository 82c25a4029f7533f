using System.Globalization;
using static TorchSharp.torch;

namespace Atlas.Core.Rendering;

/// <summary>
/// A term with its weight. A <paramref name="Relative"/> term's weight is further multiplied by the
/// magnitude of the rest of its image's objective (held constant for the gradient): the penalty then
/// costs a fixed fraction of whatever the objective reaches, so one weight fits every layer and model.
/// </summary>
public readonly record struct WeightedTerm(double Weight, ObjectiveTerm Term, bool Relative = false);

/// <summary>
/// What a feature visualization maximises: a weighted sum of <see cref="ObjectiveTerm"/>s with a readable
/// description kept as provenance. Objectives compose like Lucid's: <c>a + b</c>, <c>a - b</c>,
/// <c>k * a</c>, <c>-a</c>. Every objective is linear in its terms, which is what lets a batch of
/// different objectives be evaluated with one fused operation per term kind and layer.
/// </summary>
public sealed class Objective
{
    private readonly bool compound;

    public Objective(ObjectiveTerm term) : this([new WeightedTerm(1.0, term)], term.Description, compound: false) { }

    private Objective(IReadOnlyList<WeightedTerm> terms, string description, bool compound)
    {
        Terms = terms;
        Description = description;
        this.compound = compound;
    }

    public IReadOnlyList<WeightedTerm> Terms { get; }

    /// <summary>E.g. "-channel(conv3:5)" or "channel(conv3:5) - 100·diversity(conv3)".</summary>
    public string Description { get; }

    /// <summary>The layers this objective reads: the renderer asks the model for these only.</summary>
    public IReadOnlyCollection<string> Layers => Terms.Select(t => t.Term.Layer).Distinct().ToList();

    /// <summary>
    /// Lucid-style evaluation: the whole batch is one optimisation with this objective on every
    /// element; returns one value per batch element ([B]). <paramref name="activations"/> must hold
    /// every layer in <see cref="Layers"/>.
    /// </summary>
    public Tensor Evaluate(IReadOnlyDictionary<string, Tensor> activations)
    {
        var first = activations[Terms[0].Term.Layer];
        int batch = (int)first.shape[0];
        using var plan = ObjectiveBatch.Compile(Enumerable.Repeat(this, batch).ToList(), groups: null, first.device);
        return plan.Evaluate(activations);
    }

    /// <summary>
    /// This objective with every term made relative: added to another objective, its weight is scaled by
    /// the magnitude of that other part's value. <c>channel + 0.5 * Objectives.Diversity(l).Relative()</c>
    /// lets diversity cost about half of what the channel reaches, whatever its scale.
    /// </summary>
    public Objective Relative() =>
        new(Terms.Select(t => t with { Relative = true }).ToList(), $"{Wrap(this)}·|rest|", compound: false);

    public override string ToString() => Description;

    public static implicit operator Objective(ObjectiveTerm term) => new(term);

    public static Objective operator +(Objective a, Objective b) =>
        new([.. a.Terms, .. b.Terms], $"{a.Description} + {b.Description}", compound: true);

    public static Objective operator -(Objective a, Objective b)
    {
        var negated = -b;
        return new([.. a.Terms, .. negated.Terms], $"{a.Description} - {Wrap(b)}", compound: true);
    }

    public static Objective operator -(Objective a) =>
        new(a.Terms.Select(t => t with { Weight = -t.Weight }).ToList(), $"-{Wrap(a)}", compound: false);

    public static Objective operator *(double k, Objective a) =>
        new(a.Terms.Select(t => t with { Weight = k * t.Weight }).ToList(), $"{Number(k)}·{Wrap(a)}", compound: false);

    public static Objective operator *(Objective a, double k) => k * a;

    private static string Wrap(Objective o) => o.compound ? $"({o.Description})" : o.Description;

    private static string Number(double k) => k.ToString("0.####", CultureInfo.InvariantCulture);
}
