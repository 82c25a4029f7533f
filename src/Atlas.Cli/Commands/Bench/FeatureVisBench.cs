using System.CommandLine;
using Atlas.Core;
using Atlas.Core.Configuration;
using Atlas.Core.Models;
using Atlas.Core.Rendering;
using Spectre.Console;
using static TorchSharp.torch;

namespace Atlas.Cli.Commands.Bench;

/// <summary>
/// `atlas bench featurevis`: channels/s of feature visualization, one channel at a time versus the
/// batched engine, in one run on one device (issue 8's figures). Random weights: a step costs the same
/// whatever the weights are. With --compare-precision, also how much bfloat16 changes the pictures.
/// </summary>
public static class FeatureVisBench
{
    /// <summary>
    /// Most --threads: far above any machine's cores (torch threads beyond them only contend), and low enough that
    /// libtorch's pool starts (10,000 threads ran for ever).
    /// </summary>
    private const int MostThreads = 1024;

    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "demo-cnn or a zoo architecture such as googlenet", DefaultValueFactory = _ => DemoCnn.ArchitectureName };
        var layer = new Option<string?>("--layer") { Description = "Atlas layer to render (default: the demo's conv3, GoogLeNet's inception4a, else the middle layer)" };
        var allLayers = new Option<bool>("--all-layers") { Description = "Batched engine over every channel of every convolutional layer (GoogLeNet: 5,808 channels)" };
        var units = new Option<int>("--units") { Description = "Channels of --layer for the batched engine", DefaultValueFactory = _ => 16 };
        var single = new Option<int>("--single") { Description = "Channels rendered one at a time, from the first layer measured (0 skips)", DefaultValueFactory = _ => 4 };
        var steps = new Option<int>("--steps") { Description = "Optimisation steps per picture", DefaultValueFactory = _ => 512 };
        var size = new Option<int?>("--size") { Description = "Picture side in pixels (default: the model's input size)" };
        var precision = new Option<string>("--precision") { Description = "Batched engine's network precision: auto (bfloat16 on a GPU), float32 or bfloat16", DefaultValueFactory = _ => "auto" };
        var memoryFormat = new Option<string>("--memory-format") { Description = $"Batched engine's {BenchModels.LayoutHelp}", DefaultValueFactory = _ => "auto" };
        var batchNorm = new Option<string>("--batch-norm") { Description = $"Batched engine's {BenchModels.BatchNormHelp}", DefaultValueFactory = _ => "folded" };
        var maxPool = new Option<string>("--max-pool") { Description = $"Batched engine's {BenchModels.MaxPoolHelp}", DefaultValueFactory = _ => "auto" };
        var branches = new Option<string>("--branch-convolutions") { Description = $"Batched engine's {BenchModels.BranchHelp}", DefaultValueFactory = _ => "auto" };
        var inputConvolution = new Option<string>("--input-convolution") { Description = $"Batched engine's {BenchModels.InputHelp}", DefaultValueFactory = _ => "auto" };
        var branchRows = new Option<string>("--branch-rows") { Description = "Batched engine at an Inception block: each branch computed only for the pictures that read it (on, as atlas runs do), the whole block for every picture (off), or both (one figure each)", DefaultValueFactory = _ => "on" };
        var maxBatch = new Option<int?>("--max-batch") { Description = "Most pictures per optimisation (default: sized from free device memory)" };
        var fullSet = new Option<bool>("--full-set") { Description = "Also time the atlas's full set per unit (channel, negative, neuron, 4 diversity), batched" };
        var compare = new Option<int>("--compare-precision") { Description = "Render this many channels in float32 and bfloat16 and compare the pictures (0 skips)", DefaultValueFactory = _ => 0 };
        var threads = new Option<int?>("--threads") { Description = $"Torch CPU threads, 1 to {MostThreads} (default: all cores)" };
        var configFile = new Option<FileInfo?>("--config") { Description = "An atlas config whose model (its checkpoint, or a TorchScript archive) to render instead of --model's random weights; --size does not apply" };
        var reluOverride = new Option<bool>("--relu-override") { Description = "Lucid's ReLU gradient override at the target layer", DefaultValueFactory = _ => true };
        var command = new Command("featurevis", "Feature-visualization channels/s: one channel at a time versus the batched engine (Lucid's recipe, random weights)")
            { model, configFile, layer, allLayers, units, single, steps, size, precision, memoryFormat, batchNorm, maxPool, branches, inputConvolution, branchRows, maxBatch, fullSet, compare, threads, reluOverride };
        command.SetAction(AtlasCli.Guarded(async (parse, logger, cancellationToken) =>
        {
            // Checked before libtorch starts: it aborts the process on a thread count below 1.
            if (parse.GetValue(threads) is < 1 or > MostThreads) throw new AtlasInputException($"--threads: must be between 1 and {MostThreads}");
            if (parse.GetValue(steps) <= 0) throw new AtlasInputException("--steps: must be a positive number");
            if (parse.GetValue(units) <= 0) throw new AtlasInputException("--units: must be a positive number of channels");
            if (parse.GetValue(single) < 0) throw new AtlasInputException("--single: must be 0 (skips) or a positive number of channels");
            if (parse.GetValue(compare) < 0) throw new AtlasInputException("--compare-precision: must be 0 (skips) or a positive number of channels");
            if (parse.GetValue(maxBatch) is <= 0) throw new AtlasInputException("--max-batch: must be a positive number of pictures");
            if (parse.GetValue(precision) is not ("auto" or "float32" or "bfloat16") and var named)
                throw new AtlasInputException($"--precision: '{named}' is not auto, float32 or bfloat16");
            TorchRuntime.Initialize(parse.GetValue(threads));
            var architecture = parse.GetValue(model)!;
            int? side = parse.GetValue(size);
            var atlasConfig = parse.GetValue(configFile) is { } file ? AtlasConfigLoader.Load(file.FullName) : null;
            if (atlasConfig is not null && side is not null) throw new AtlasInputException("--size: a --config model renders at its own model.inputSize");
            // The same network every time a variant is asked for: the config's checkpoint, or the seeded random weights.
            (IAtlasModel Model, string Rewrites) Prepared(BenchModels.NetworkVariant wanted) =>
                atlasConfig is null ? BenchModels.BuildVariant(architecture, side, wanted) : BenchModels.LoadVariant(atlasConfig, [], wanted);
            using var exact = Prepared(new BenchModels.NetworkVariant(ScalarType.Float32, false, false)).Model;
            var catalog = LayerCatalog.Measure(exact);
            var config = new FeatureVisConfig { Steps = parse.GetValue(steps), Precision = parse.GetValue(precision)!, ReluGradientOverride = parse.GetValue(reluOverride) };
            var settings = FeatureVisSettings.Render(config, exact.Input);
            var type = RenderPrecision.For(config.Precision, ModelDevice.Of(exact));
            var layouts = BenchModels.Layouts(parse.GetValue(memoryFormat)!);
            var folds = BenchModels.Folds(parse.GetValue(batchNorm)!);
            var pools = BenchModels.PoolBackwards(parse.GetValue(maxPool)!);
            var merges = BenchModels.BranchMerges(parse.GetValue(branches)!, type);
            var spaceToDepths = BenchModels.InputSpaceToDepth(parse.GetValue(inputConvolution)!, type);
            IReadOnlyList<bool> rowChoices = parse.GetValue(branchRows) switch
            {
                "on" => [true],
                "off" => [false],
                "both" => [false, true],
                var other => throw new AtlasInputException($"--branch-rows: '{other}' is not on, off or both"),
            };
            // Each variant is built once: the precision comparison and the fp32 twins ask again for ones already measured.
            var variants = new Dictionary<BenchModels.NetworkVariant, IAtlasModel>();
            var labels = new Dictionary<IAtlasModel, string>();
            IAtlasModel Variant(BenchModels.NetworkVariant wanted)
            {
                if (wanted == new BenchModels.NetworkVariant(ScalarType.Float32, false, false)) return exact;
                if (variants.TryGetValue(wanted, out var known)) return known;
                var (built, rewrites) = Prepared(wanted);
                variants[wanted] = built;
                labels[built] = rewrites;
                return built;
            }
            using var disposeVariants = new DisposeAll(variants.Values);

            var work = parse.GetValue(allLayers)
                ? catalog.Where(l => l.IsSpatial).Select(l => (l.Name, l.Channels)).ToList()
                : [(parse.GetValue(layer) ?? DefaultLayer(exact, catalog), 0)];
            if (!parse.GetValue(allLayers))
            {
                var info = catalog.FirstOrDefault(l => l.Name == work[0].Name)
                    ?? throw new AtlasInputException($"--layer: the model has no layer '{work[0].Name}' (layers: {string.Join(", ", catalog.Select(l => l.Name))})");
                work = [(info.Name, Math.Min(parse.GetValue(units), info.Channels))];
            }
            logger.Information("Rendering {Model} at {Size} px, {Steps} steps on {Device}: {Channels} channels of {Layers}",
                exact.Architecture, settings.ImageSize ?? exact.Input.Height, config.Steps, BenchDevice.Describe(), work.Sum(w => w.Item2), string.Join(", ", work.Select(w => w.Item1)));

            var bench = new FeatureVisBenchmark(catalog, settings, cancellationToken);
            var progress = new Progress<string>(m => logger.Information("{Bench}", m));
            var figures = new List<FeatureVisBenchFigure>();
            FeatureVisBenchFigure Measured(IAtlasModel engine, UnitVisOptions pictures, string mode, bool rows = true)
            {
                var measuring = rows == settings.BranchRows ? bench : new FeatureVisBenchmark(catalog, settings with { BranchRows = rows }, cancellationToken);
                var figure = measuring.Batched(engine, work, pictures, mode, parse.GetValue(maxBatch), progress);
                // Named only when both are measured: otherwise every figure would carry the same words.
                string rowsLabel = rowChoices.Count == 1 ? "" : rows ? ", branch rows" : ", whole blocks";
                return figure with { Precision = figure.Precision + labels.GetValueOrDefault(engine, "") + rowsLabel };
            }
            if (parse.GetValue(single) is > 0 and var n)
            {
                // As Lucent renders: the whole network for every picture, Inception blocks included.
                var lucent = new FeatureVisBenchmark(catalog, settings with { BranchRows = false }, cancellationToken);
                figures.Add(lucent.OneAtATime(exact, [(work[0].Item1, Math.Min(n, work[0].Item2))]));
                logger.Information("one channel at a time: {Rate:F3} channels/s", figures[^1].UnitsPerSecond);
            }
            var engines = from channelsLast in layouts
                          from fold in folds
                          from scatter in pools
                          from merge in merges
                          from spaceToDepth in spaceToDepths
                          select new BenchModels.NetworkVariant(type, channelsLast, fold, scatter, merge, spaceToDepth);
            foreach (var variant in engines.ToList())
            {
                var engine = Variant(variant);
                foreach (bool rows in rowChoices)
                    figures.Add(Measured(engine, FeatureVisBenchmark.ChannelOnly, "batched engine", rows));
                if (type != ScalarType.Float32 && !parse.GetValue(allLayers))
                {
                    // The float32 twin is what the engine runs in float32: `auto` decides its rewrites for that type anew,
                    // while "both" keeps the variant's choice.
                    static bool ForTwin(IReadOnlyList<bool> float32Choices, bool chosen) => float32Choices.Count > 1 ? chosen : float32Choices[0];
                    var twin = variant with
                    {
                        Precision = ScalarType.Float32,
                        MergeBranches = ForTwin(BenchModels.BranchMerges(parse.GetValue(branches)!, ScalarType.Float32), variant.MergeBranches),
                        InputSpaceToDepth = ForTwin(BenchModels.InputSpaceToDepth(parse.GetValue(inputConvolution)!, ScalarType.Float32), variant.InputSpaceToDepth),
                    };
                    figures.Add(Measured(Variant(twin), FeatureVisBenchmark.ChannelOnly, "batched engine", rowChoices[^1]));
                }
                if (parse.GetValue(fullSet))
                {
                    foreach (bool rows in rowChoices)
                        figures.Add(Measured(engine, FeatureVisSettings.Units(config), "full set per unit, batched", rows));
                }
            }
            Print(exact, settings, config.Steps, figures);
            // One line per figure in the log too: tables wrap on narrow or redirected consoles.
            foreach (var f in figures)
                logger.Information("FIGURE {Mode} {Precision}: {Units} channels, {Pictures} pictures, {Optimisations} optimisations (largest {Largest}), {Seconds:F1}s, {Rate:F3} channels/s, {PictureRate:F2} pictures/s",
                    f.Mode, f.Precision, f.Units, f.Pictures, f.Optimizations, f.LargestBatch, f.Seconds, f.UnitsPerSecond, f.PicturesPerSecond);

            if (parse.GetValue(compare) is > 0 and var compared)
            {
                var reduced = Variant(new BenchModels.NetworkVariant(ScalarType.BFloat16, layouts[^1], folds[^1], pools[^1], merges[^1], spaceToDepths[^1]));
                var items = bench.Plan(work[0].Item1, 0, Math.Min(compared, catalog.First(l => l.Name == work[0].Item1).Channels), FeatureVisBenchmark.ChannelOnly);
                var comparison = PrecisionComparison.Run(exact, reduced, items, settings, cancellationToken);
                var summary = PrecisionComparison.Summarize(comparison);
                PrintComparison(comparison, summary);
                logger.Information("PRECISION bfloat16 vs float32 over {Units} channels: objective ratio mean {Mean:F3} min {Min:F3}, pixel correlation mean {Correlation:F3}",
                    summary.Units, summary.MeanObjectiveRatio, summary.MinObjectiveRatio, summary.MeanPixelCorrelation);
            }
            cancellationToken.ThrowIfCancellationRequested(); // interrupted at the last moment: still the interrupt's exit code
            return ExitCodes.Success;
        }));
        return command;
    }

    private sealed class DisposeAll(IEnumerable<IAtlasModel> models) : IDisposable
    {
        public void Dispose()
        {
            foreach (var model in models) model.Dispose();
        }
    }

    private static void Print(IAtlasModel model, RenderSettings settings, int steps, IReadOnlyList<FeatureVisBenchFigure> figures)
    {
        AnsiConsole.MarkupLineInterpolated($"[bold]{model.Architecture}[/], {settings.ImageSize ?? model.Input.Height} px, {steps} steps, on {BenchDevice.Describe()}");
        var table = new Table().AddColumns("mode", "precision", "channels", "pictures", "optimisations", "largest batch", "s", "channels/s", "pictures/s");
        foreach (var f in figures)
            table.AddRow(f.Mode, f.Precision, $"{f.Units}", $"{f.Pictures}", $"{f.Optimizations}", $"{f.LargestBatch}", $"{f.Seconds:F1}", $"{f.UnitsPerSecond:F3}", $"{f.PicturesPerSecond:F2}");
        AnsiConsole.Write(table);
        if (figures.Count > 1 && figures[0].Mode == "one channel at a time")
        {
            foreach (var f in figures.Skip(1))
                AnsiConsole.MarkupLineInterpolated($"{f.Mode} ({f.Precision}) / one channel at a time: {f.UnitsPerSecond / figures[0].UnitsPerSecond:F1}×");
        }
    }

    private static void PrintComparison(IReadOnlyList<PrecisionUnitComparison> units, PrecisionSummary summary)
    {
        var table = new Table().AddColumns("objective", "float32 picture", "bfloat16 picture", "ratio", "pixel correlation");
        foreach (var u in units)
            table.AddRow(Markup.Escape(u.Objective), $"{u.Float32Objective:F4}", $"{u.ReducedObjective:F4}", $"{u.ObjectiveRatio:F3}", $"{u.PixelCorrelation:F3}");
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLineInterpolated($"bfloat16 vs float32 (scored by the float32 network): objective ratio mean {summary.MeanObjectiveRatio:F3}, min {summary.MinObjectiveRatio:F3}; pixel correlation mean {summary.MeanPixelCorrelation:F3}");
    }

    private static string DefaultLayer(IAtlasModel model, IReadOnlyList<LayerInfo> catalog) =>
        catalog.Any(l => l.Name == "conv3") && model.Architecture == DemoCnn.ArchitectureName ? "conv3"
        : catalog.Any(l => l.Name == "inception4a") ? "inception4a"
        : catalog[catalog.Count / 2].Name;
}
