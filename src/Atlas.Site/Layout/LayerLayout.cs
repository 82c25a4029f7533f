using Atlas.Storage.Manifests;

namespace Atlas.Site.Layout;

/// <summary>Where one layer's pages go, with its units in index order (the order of previous/next).</summary>
internal sealed record LayerLayout(LayerManifest Layer, string Folder, IReadOnlyList<UnitManifest> Units)
{
    public string IndexPage => $"{Folder}/index.html";

    public string UnitPage(UnitManifest unit) => $"{Folder}/{unit.Index}.html";
}
