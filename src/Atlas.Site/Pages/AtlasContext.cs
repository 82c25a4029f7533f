using Atlas.Site.Html;
using Atlas.Site.Layout;
using Atlas.Storage.Manifests;

namespace Atlas.Site.Pages;

/// <summary>
/// What every page of one atlas version needs: its layout, its images, the options, the breadcrumb
/// trail, and the other versions in the same site (for links that must never point at a page the
/// site does not hold).
/// </summary>
internal sealed record AtlasContext(AtlasLayout Atlas, ImageTags Images, SiteOptions Options, IReadOnlyList<AtlasLayout> Site)
{
    public AtlasManifest Manifest => Atlas.Manifest;

    public string AtlasName => $"{Manifest.Title} ({Manifest.Version})";

    public List<Crumb> Crumbs(LayerLayout? layer = null, UnitManifest? unit = null, string? last = null)
    {
        var crumbs = new List<Crumb> { new(Options.Title, SitePath.Home) };
        crumbs.Add(new Crumb(AtlasName, layer is null && last is null ? null : Atlas.IndexPage));
        if (layer is not null) crumbs.Add(new Crumb(layer.Layer.Name, unit is null ? null : layer.IndexPage));
        if (layer is not null && unit is not null) crumbs.Add(new Crumb($"Unit {Format.UnitName(unit)}"));
        if (last is not null) crumbs.Add(new Crumb(last));
        return crumbs;
    }

    public string VisAlt(LayerLayout layer, UnitManifest unit) =>
        $"Feature visualization of layer {layer.Layer.Name}, unit {Format.UnitName(unit)}";

    /// <summary>Another version of this atlas when the site holds it, else null (then a page shows it without a link).</summary>
    public AtlasLayout? Version(string version) =>
        Site.FirstOrDefault(a => a != Atlas && a.Manifest.Atlas == Manifest.Atlas && a.Manifest.Version == version);

    /// <summary>The page of a unit in another version of this atlas, when the site holds that version, layer and unit.</summary>
    public string? UnitPageIn(string version, string layerName, int unit)
    {
        var layer = Version(version)?.FindLayer(layerName);
        return layer?.Unit(unit) is null ? null : layer.UnitPage(unit);
    }

    public PageExtras Extras(PageNav? nav = null, params string[] scripts) =>
        new() { Nav = nav, SearchPage = Atlas.SearchPage, SearchExample = SearchExample, Scripts = scripts };

    /// <summary>The atlas's first unit in the search box's form, for its placeholder and hint.</summary>
    public string SearchExample => Atlas.Layers.Count > 0 ? Format.UnitRef(Atlas.Layers[0].Layer.Name, 0) : "conv1:0";
}
