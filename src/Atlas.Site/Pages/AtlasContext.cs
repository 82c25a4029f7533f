using Atlas.Site.Html;
using Atlas.Site.Layout;
using Atlas.Storage.Manifests;

namespace Atlas.Site.Pages;

/// <summary>What every page of one atlas version needs: its layout, its images, the options, and the breadcrumb trail.</summary>
internal sealed record AtlasContext(AtlasLayout Atlas, ImageTags Images, SiteOptions Options)
{
    public AtlasManifest Manifest => Atlas.Manifest;

    public string AtlasName => $"{Manifest.Title} ({Manifest.Version})";

    public List<Crumb> Crumbs(LayerLayout? layer = null, UnitManifest? unit = null)
    {
        var crumbs = new List<Crumb> { new(Options.Title, SitePath.Home) };
        crumbs.Add(new Crumb(AtlasName, layer is null ? null : Atlas.IndexPage));
        if (layer is not null) crumbs.Add(new Crumb(layer.Layer.Name, unit is null ? null : layer.IndexPage));
        if (layer is not null && unit is not null) crumbs.Add(new Crumb($"Unit {Format.UnitName(unit)}"));
        return crumbs;
    }

    public string VisAlt(LayerLayout layer, UnitManifest unit) =>
        $"Feature visualization of layer {layer.Layer.Name}, unit {Format.UnitName(unit)}";
}
