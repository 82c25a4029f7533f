using System.Diagnostics.CodeAnalysis;
using Atlas.Site.Layout;
using Atlas.Storage;
using Atlas.Storage.Manifests;

namespace Atlas.Site;

/// <summary>Finds every finished atlas version's manifest in a store, reads it, checks it is complete, and applies the site's filter.</summary>
internal static class AtlasCatalog
{
    public static async Task<IReadOnlyList<AtlasLayout>> LoadAsync(
        IArtifactStore store, Func<string, string, bool>? include, IProgress<string>? progress, CancellationToken ct)
    {
        var keys = (await StoreAtlases.ManifestKeysAsync(store, "", ct)).Order(StringComparer.Ordinal).ToList();

        var atlases = new List<AtlasLayout>();
        foreach (var key in keys)
        {
            var manifest = await store.GetJsonAsync<AtlasManifest>(key, ct)
                ?? throw new SiteGenerationException($"{store.Description}: manifest '{key}' disappeared while the site was generated");
            Check(key, manifest);
            manifest = Normalize(manifest);
            if (include is not null && !include(manifest.Atlas, manifest.Version)) continue;
            atlases.Add(AtlasLayout.Create(key, manifest));
            progress?.Report($"found {manifest.Atlas} {manifest.Version} ({key})");
        }

        if (include is not null && atlases.Count == 0)
            throw new SiteGenerationException(
                $"{store.Description}: no atlas matched the filter (the store holds {keys.Count} manifest(s): {string.Join(", ", keys)})");
        return atlases;
    }

    /// <summary>JSON may hold nulls the records do not allow; find them here rather than as a NullReferenceException deep in a page.</summary>
    private static void Check(string key, AtlasManifest m)
    {
        if (m.Schema > AtlasManifest.CurrentSchema)
            throw new SiteGenerationException($"manifest '{key}' has schema {m.Schema}; this site generator reads schema {AtlasManifest.CurrentSchema} or older");
        var folder = key[..key.IndexOf('/')];
        if (SitePath.RootEntries.Contains(folder, StringComparer.OrdinalIgnoreCase))
            throw new SiteGenerationException($"manifest '{key}': an atlas named '{folder}' would take the place of the site's own '{folder}'; delete its folder from the store and run it again under another name");
        Require(m.Atlas is not null && m.Version is not null && m.Title is not null, key, "atlas, version or title");
        Require(m.Model?.Architecture is not null && m.Model.CheckpointSha256 is not null && m.Model.CheckpointFile is not null, key, "model");
        Require(m.Dataset?.Name is not null && m.Dataset.ClassNames is not null && m.Dataset.Split is not null, key, "dataset");
        Require(m.Recipe?.Parameterization is not null && m.Recipe.Transforms is not null, key, "recipe");
        Require(m.Layers is not null, key, "layers");
        foreach (var layer in m.Layers)
        {
            Require(layer?.Name is not null && layer.Kind is not null && layer.Units is not null, key, "a layer's name, kind or units");
            foreach (var unit in layer.Units)
            {
                Require(unit is not null, key, $"a unit of layer '{layer.Name}'");
                var where = $"layer '{layer.Name}' unit {unit.Index}'s";
                Require(unit.VisKey is not null && unit.ObjectiveDescription is not null && unit.TopExamples is not null,
                    key, $"{where} visKey, objectiveDescription or topExamples");
                Require(unit.TopExamples.All(e => e?.ImageKey is not null), key, $"{where} example imageKey");
                Require((unit.BottomExamples ?? []).All(e => e?.ImageKey is not null), key, $"{where} bottom example imageKey");
                Require((unit.Visualizations ?? []).All(v => v?.Key is not null && v.Kind is not null && v.ObjectiveDescription is not null),
                    key, $"{where} visualization key, kind or objectiveDescription");
                Require((unit.Inputs ?? []).Concat(unit.Outputs ?? []).All(l => l?.Layer is not null), key, $"{where} circuit link layer");
                Require((unit.Matches ?? []).All(x => x?.Version is not null && x.Verdict is not null), key, $"{where} match version or verdict");
                Require(unit.ClassSpread is null || (unit.ClassSpread.Counts is not null && unit.ClassSpread.DominantClass is not null),
                    key, $"{where} classSpread counts or dominantClass");
            }
        }
        Require((m.OtherVersions ?? []).All(v => v?.Version is not null && v.CheckpointSha256 is not null), key, "an other version's version or checkpointSha256");
    }

    /// <summary>
    /// Optional lists written as JSON null read as empty, so pages never test for null. The schema's
    /// optional fields are filled by several producers; an older manifest simply has them empty.
    /// </summary>
    private static AtlasManifest Normalize(AtlasManifest m) => m with
    {
        OtherVersions = m.OtherVersions ?? [],
        Layers = [.. m.Layers.Select(layer => layer with
        {
            Units = [.. layer.Units.Select(u => u with
            {
                Visualizations = u.Visualizations ?? [],
                BottomExamples = u.BottomExamples ?? [],
                Inputs = u.Inputs ?? [],
                Outputs = u.Outputs ?? [],
                Matches = u.Matches ?? [],
            })],
        })],
    };

    private static void Require([DoesNotReturnIf(false)] bool ok, string key, string what)
    {
        if (!ok) throw new SiteGenerationException($"manifest '{key}' is missing {what}");
    }
}
