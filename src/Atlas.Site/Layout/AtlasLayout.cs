using Atlas.Storage;
using Atlas.Storage.Manifests;

namespace Atlas.Site.Layout;

/// <summary>
/// Where one atlas version's pages and images go. Its folder is the manifest's folder in the store
/// ({atlas}/{version}, already safe segments), so two versions never share a folder; layers get
/// <see cref="ArtifactKey.Segment"/> folders, made unique; images mirror their key below the version
/// root under img/.
/// </summary>
internal sealed class AtlasLayout
{
    private const string ImageFolder = "img";
    // Keys below the version root start with a letter or digit, so "_" cannot clash with them.
    private const string OutsideRootFolder = "_";

    private AtlasLayout(string manifestKey, AtlasManifest manifest)
    {
        ManifestKey = manifestKey;
        Manifest = manifest;
        Root = manifestKey[..manifestKey.LastIndexOf('/')];
        Layers = AssignLayerFolders(Root, manifest.Layers);
    }

    public string ManifestKey { get; }
    public AtlasManifest Manifest { get; }

    /// <summary>The version's folder, the same in the store and in the site.</summary>
    public string Root { get; }

    public string IndexPage => $"{Root}/index.html";
    public string SearchPage => $"{Root}/search.html";
    /// <summary>The search page's data, a script rather than JSON because browsers refuse fetch() from file://.</summary>
    public string SearchIndex => $"{Root}/search-index.js";
    public IReadOnlyList<LayerLayout> Layers { get; }

    /// <summary>The layer a manifest names (circuit links name layers), or null when this atlas has none by that name.</summary>
    public LayerLayout? FindLayer(string? name) =>
        name is null ? null : Layers.FirstOrDefault(l => string.Equals(l.Layer.Name, name, StringComparison.Ordinal));

    public static AtlasLayout Create(string manifestKey, AtlasManifest manifest) => new(manifestKey, manifest);

    /// <summary>The site path of the image stored at <paramref name="key"/> (an already validated key).</summary>
    public string ImagePath(string key) =>
        key.StartsWith(Root + "/", StringComparison.Ordinal)
            ? $"{Root}/{ImageFolder}/{key[(Root.Length + 1)..]}"
            : $"{Root}/{ImageFolder}/{OutsideRootFolder}/{key}";

    /// <summary>Every image the pages show, once each, with the first place that names it (for error messages).</summary>
    public IReadOnlyList<(string Key, string ReferencedBy)> ReferencedImages()
    {
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var layer in Layers)
        foreach (var unit in layer.Units)
        {
            var where = $"{ManifestKey} layer '{layer.Layer.Name}' unit {unit.Index}";
            seen.TryAdd(unit.VisKey, where);
            foreach (var vis in unit.Visualizations) seen.TryAdd(vis.Key, $"{where} visualization '{vis.Kind}'");
            foreach (var example in unit.TopExamples.Concat(unit.BottomExamples))
            {
                seen.TryAdd(example.ImageKey, $"{where} example {example.ImageIndex}");
                if (example.HeatmapKey is { } heatmap) seen.TryAdd(heatmap, $"{where} heatmap of example {example.ImageIndex}");
            }
            foreach (var link in unit.Inputs.Concat(unit.Outputs))
            {
                if (link.KernelKey is { } kernel) seen.TryAdd(kernel, $"{where} kernel of link {link.Layer}:{link.Unit}");
            }
        }
        foreach (var layer in Layers)
        {
            if (layer.Layer.WeightsKey is { } weights) seen.TryAdd(weights, $"{ManifestKey} layer '{layer.Layer.Name}' weights");
        }
        return seen.Select(p => (p.Key, p.Value)).ToList();
    }

    private static IReadOnlyList<LayerLayout> AssignLayerFolders(string root, IReadOnlyList<LayerManifest> layers)
    {
        // Folder names the version folder already uses are taken, so no layer folder can mix with them.
        var taken = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { ImageFolder, "index.html", "search.html", "search-index.js" };
        var result = new List<LayerLayout>(layers.Count);
        foreach (var layer in layers)
        {
            var baseName = ArtifactKey.Segment(layer.Name);
            var name = baseName;
            for (var n = 2; !taken.Add(name); n++) name = $"{baseName}-{n}";
            var units = layer.Units.OrderBy(u => u.Index).ToList();
            result.Add(new LayerLayout(layer, $"{root}/{name}", units));
        }
        return result;
    }
}
