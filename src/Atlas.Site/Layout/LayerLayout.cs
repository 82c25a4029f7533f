using Atlas.Storage.Manifests;

namespace Atlas.Site.Layout;

/// <summary>Where one layer's pages go, with its units in index order (the order of previous/next).</summary>
internal sealed record LayerLayout(LayerManifest Layer, string Folder, IReadOnlyList<UnitManifest> Units)
{
    private readonly Dictionary<int, UnitManifest> _byIndex = Units.GroupBy(u => u.Index).ToDictionary(g => g.Key, g => g.First());

    public string IndexPage => $"{Folder}/index.html";

    public string UnitPage(UnitManifest unit) => UnitPage(unit.Index);

    public string UnitPage(int index) => $"{Folder}/{index}.html";

    /// <summary>The unit with this index, or null when the layer has none (a link to it would be broken).</summary>
    public UnitManifest? Unit(int index) => _byIndex.GetValueOrDefault(index);
}
