using System.CommandLine;
using Atlas.Core;
using Atlas.Core.Configuration;
using Atlas.Core.Models;
using Atlas.Core.Models.Zoo;
using Atlas.Core.Rendering;
using Spectre.Console;
using static TorchSharp.torch;

namespace Atlas.Cli.Commands.Bench;

/// <summary>
/// `atlas bench featurevis`: units/s of feature visualization for one layer, batched versus one unit at a
/// time, in one run. Random weights: the cost of a step does not depend on what the weights are.
/// </summary>
public static class FeatureVisBench
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "demo-cnn or a zoo architecture such as googlenet", DefaultValueFactory = _ => DemoCnn.ArchitectureName };
        var layer = new Option<string?>("--layer") { Description = "Atlas layer to render (default: the demo's conv3, GoogLeNet's inception4a, else the middle layer)" };
        var units = new Option<int>("--units") { Description = "Units (channels) to render", DefaultValueFactory = _ => 16 };
        var steps = new Option<int>("--steps") { Description = "Optimisation steps per picture", DefaultValueFactory = _ => 256 };
        var size = new Option<int?>("--size") { Description = "Picture side in pixels (default: the model's input size)" };
        var threads = new Option<int?>("--threads") { Description = "Torch CPU threads (default: all cores)" };
        var command = new Command("featurevis", "Feature-visualization units/s, batched versus one unit at a time (Lucid's recipe, random weights)")
            { model, layer, units, steps, size, threads };
        command.SetAction(AtlasCli.Guarded((parse, logger, cancellationToken) =>
        {
            TorchRuntime.Initialize(parse.GetValue(threads));
            random.manual_seed(0);
            int? side = parse.GetValue(size);
            using var network = Build(parse.GetValue(model)!, side);
            var catalog = LayerCatalog.Measure(network);
            var name = parse.GetValue(layer) ?? DefaultLayer(network, catalog);
            var config = new FeatureVisConfig { Steps = parse.GetValue(steps) };
            var settings = FeatureVisSettings.Render(config, network.Input);
            logger.Information("Rendering {Units} units of {Layer} ({Model}, {Size} px, {Steps} steps, {Threads} threads)",
                parse.GetValue(units), name, network.Architecture, network.Input.Height, config.Steps, get_num_threads());
            var figures = FeatureVisBenchmark.Run(network, catalog, name, parse.GetValue(units), settings, FeatureVisSettings.Units(config),
                new Progress<string>(m => logger.Information("{Bench}", m)), cancellationToken);

            AnsiConsole.MarkupLineInterpolated($"[bold]{network.Architecture}[/] {name}, {network.Input.Height} px, {config.Steps} steps, {get_num_threads()} threads");
            var table = new Table().AddColumns("mode", "units", "pictures", "optims", "s", "units/s", "pictures/s");
            foreach (var f in figures)
                table.AddRow(f.Mode, $"{f.Units}", $"{f.Pictures}", $"{f.Optimizations}", $"{f.Seconds:F1}", $"{f.UnitsPerSecond:F3}", $"{f.PicturesPerSecond:F2}");
            AnsiConsole.Write(table);
            return Task.FromResult(ExitCodes.Success);
        }));
        return command;
    }

    private static IAtlasModel Build(string architecture, int? size)
    {
        if (architecture == DemoCnn.ArchitectureName)
        {
            if (size is not null and not 28) throw new AtlasInputException("--size: the demo CNN takes 28×28 images only");
            var demo = new DemoCnn();
            demo.eval();
            foreach (var p in demo.parameters()) p.requires_grad = false;
            return new DemoCnnModel(demo, []);
        }
        var zoo = ModelZoo.Get(architecture);
        var network = zoo.Create(new ZooBuildOptions(zoo.DefaultClasses, TransformInput: false));
        network.eval();
        foreach (var p in network.parameters()) p.requires_grad = false;
        return zoo.WrapNetwork(network, zoo.InputFor(size), []);
    }

    private static string DefaultLayer(IAtlasModel model, IReadOnlyList<LayerInfo> catalog) =>
        catalog.Any(l => l.Name == "conv3") && model.Architecture == DemoCnn.ArchitectureName ? "conv3"
        : catalog.Any(l => l.Name == "inception4a") ? "inception4a"
        : catalog[catalog.Count / 2].Name;
}
