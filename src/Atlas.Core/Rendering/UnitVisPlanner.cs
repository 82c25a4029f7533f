using Atlas.Core.Models;

namespace Atlas.Core.Rendering;

/// <summary>Which pictures each atlas unit gets; the defaults are the full set.</summary>
public sealed record UnitVisOptions
{
    public bool Channel { get; init; } = true;
    public bool Negative { get; init; } = true;
    public bool Neuron { get; init; } = true;
    public bool Diversity { get; init; } = true;
    public int DiversityCount { get; init; } = 4;
    public double DiversityWeight { get; init; } = 2;
    public int Seed { get; init; }
}

/// <summary>One planned picture of a unit. <paramref name="Kind"/>: channel, negative, neuron or diversity-k.</summary>
public sealed record PlannedVis(int Unit, string Kind, VisItem Item);

/// <summary>
/// Turns "units [start, end) of a layer" into the batch of pictures the renderer optimises together:
/// per unit the positive channel picture, the negative one, the centre neuron (spatial layers) and
/// <see cref="UnitVisOptions.DiversityCount"/> diversity pictures that share a group. Every picture's
/// seed comes from (seed, objective, replica), so it is reproducible whatever else shares its batch.
/// </summary>
public static class UnitVisPlanner
{
    public const string ChannelKind = "channel";
    public const string NegativeKind = "negative";
    public const string NeuronKind = "neuron";
    public static string DiversityKind(int replica) => $"diversity-{replica}";

    public static IReadOnlyList<PlannedVis> Plan(IReadOnlyList<LayerInfo> catalog, string layer, int start, int end, UnitVisOptions options,
        IReadOnlyList<string>? classNames = null)
    {
        int index = catalog.ToList().FindIndex(l => l.Name == layer);
        if (index < 0) throw new ArgumentException($"layer '{layer}' is not in the catalog ({string.Join(", ", catalog.Select(l => l.Name))})", nameof(layer));
        var info = catalog[index];
        if (start < 0 || end > info.Channels || start >= end)
            throw new ArgumentOutOfRangeException(nameof(start), $"units [{start}, {end}) are outside layer '{layer}' with {info.Channels} units");
        bool isClassLayer = !info.IsSpatial && index == catalog.Count - 1;
        // Gram matrices of a vector say little; a linear layer's diversity compares the deepest spatial layer below it.
        var diversityLayer = info.IsSpatial ? layer : catalog.Take(index).LastOrDefault(l => l.IsSpatial)?.Name ?? layer;

        var plan = new List<PlannedVis>();
        for (int unit = start; unit < end; unit++)
        {
            var main = isClassLayer
                ? Objectives.ClassLogit(layer, unit, classNames is not null && unit < classNames.Count ? classNames[unit] : null)
                : Objectives.Channel(layer, unit);
            int before = plan.Count;
            if (options.Channel) Add(plan, unit, ChannelKind, main, options.Seed, 0, unit);
            // The negative picture reads the pre-ReLU value: below zero the rectified output is flat, the pre-activation is not.
            if (options.Negative) Add(plan, unit, NegativeKind, -main, options.Seed, 0, unit, ActivationTarget.PreRelu);
            if (options.Neuron && info.IsSpatial) Add(plan, unit, NeuronKind, Objectives.Neuron(layer, unit), options.Seed, 0, unit);
            if (options.Diversity)
            {
                var diverse = main + options.DiversityWeight * Objectives.Diversity(diversityLayer).Relative();
                for (int k = 0; k < options.DiversityCount; k++) Add(plan, unit, DiversityKind(k), diverse, options.Seed, k, unit);
            }
            // A linear layer with only neuron pictures asked for would get none: its neuron is the channel.
            if (plan.Count == before) Add(plan, unit, ChannelKind, main, options.Seed, 0, unit);
        }
        return plan;
    }

    /// <summary>The seed of a picture: a stable hash of (seed, objective description, replica).</summary>
    public static ulong SeedFor(int seed, string objectiveDescription, int replica) =>
        SplitMix64.Hash($"{seed}|{objectiveDescription}|{replica}");

    private static void Add(List<PlannedVis> plan, int unit, string kind, Objective objective, int seed, int replica, int group,
        ActivationTarget target = ActivationTarget.Rectified) =>
        plan.Add(new PlannedVis(unit, kind, new VisItem(objective, SeedFor(seed, objective.Description, replica), group, target)));
}
