using Atlas.Core.Comparison;
using Atlas.Core.Data;
using Atlas.Core.Examples;
using Atlas.Core.Models;
using Atlas.Grains.Execution;
using Atlas.Storage;
using Atlas.Storage.Manifests;

namespace Atlas.Grains.Watchers;

/// <summary>
/// The cross-version part of an atlas manifest, computed when a version is finalized: its probe
/// responses (<see cref="ProbeActivations"/>, stored with the version so later versions can compare
/// without this model), the other versions of the atlas in the store, and for each unit its best match
/// in each of the newest <see cref="MaxCompared"/> other versions computed on the same probe set
/// (<see cref="UnitMatcher"/>). Versions finalized earlier are not rewritten: a version is immutable,
/// so the newer one carries the comparison.
/// </summary>
public sealed class VersionComparison
{
    /// <summary>Other versions compared unit by unit (newest first); older ones are still listed.</summary>
    public const int MaxCompared = 4;

    private readonly Dictionary<string, Dictionary<int, List<VersionMatch>>> matches;

    private VersionComparison(IReadOnlyList<VersionRef> others, Dictionary<string, Dictionary<int, List<VersionMatch>>> matches)
    {
        OtherVersions = others;
        this.matches = matches;
    }

    public IReadOnlyList<VersionRef> OtherVersions { get; }

    public static async Task<VersionComparison> RunAsync(UnitContext context)
    {
        var spec = context.Spec;
        var keys = new WatchKeys(spec.Atlas, spec.Version);
        var layers = spec.Layers.Select(l => l.Name).ToList();
        var (info, probes) = await context.Compute(() =>
        {
            using var data = DatasetOpener.Open(context.Config.Dataset);
            // Taken inside the device section: outside it another job's unit may swap the cached model.
            var (model, catalog) = context.Models.Get(context.Config);
            int batch = Math.Min(ScanBatchSize.For(context.Config.Examples.BatchSize, model, catalog, layers), 128);
            var computed = ProbeActivations.Compute(model, data, layers, batchSize: batch, cancellationToken: context.Cancellation);
            var probeInfo = new ProbeInfoWork(data.Name, context.Config.Dataset.Split, data.Count, computed.Values.First().Images,
                computed.ToDictionary(p => p.Key, p => p.Value.Units));
            return (probeInfo, computed);
        });
        foreach (var (layer, matrix) in probes)
            await context.Store.PutAsync(keys.ProbeMatrix(layer), matrix.ToBytes(), "application/octet-stream", context.Cancellation);
        await context.Store.PutJsonAsync(keys.ProbeInfo, info, context.Cancellation);

        var others = (await StoreVersions.RefsAsync(context.Store, spec.Atlas, context.Cancellation)).Where(v => v.Version != spec.Version).ToList();
        var found = new Dictionary<string, Dictionary<int, List<VersionMatch>>>();
        foreach (var other in others.Take(MaxCompared))
        {
            var otherKeys = new WatchKeys(spec.Atlas, other.Version);
            var otherInfo = await context.Store.GetJsonAsync<ProbeInfoWork>(otherKeys.ProbeInfo, context.Cancellation);
            // Only responses to the same images can be correlated.
            if (otherInfo is null || otherInfo.Dataset != info.Dataset || otherInfo.Split != info.Split || otherInfo.Images != info.Images) continue;
            foreach (var (layer, current) in probes)
            {
                if (await context.Store.GetAsync(otherKeys.ProbeMatrix(layer), context.Cancellation) is not { } bytes) continue;
                var best = UnitMatcher.Match(current, ProbeMatrix.FromBytes(bytes));
                if (!found.TryGetValue(layer, out var byUnit)) found[layer] = byUnit = [];
                for (int u = 0; u < best.Count; u++)
                {
                    if (best[u] is not { } m) continue;
                    if (!byUnit.TryGetValue(u, out var list)) byUnit[u] = list = [];
                    list.Add(new VersionMatch(other.Version, m.Unit, Math.Round(m.Correlation, 4), m.Verdict));
                }
            }
        }
        return new VersionComparison(others, found);
    }

    public LayerManifest Apply(LayerManifest layer)
    {
        if (!matches.TryGetValue(layer.Name, out var byUnit)) return layer;
        return layer with
        {
            Units = layer.Units.Select(u => byUnit.TryGetValue(u.Index, out var list) ? u with { Matches = list } : u).ToList(),
        };
    }
}
