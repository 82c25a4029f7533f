using System.CommandLine;
using Atlas.Cli.Hosting;

namespace Atlas.Cli.Commands.Bench;

/// <summary>`atlas bench …`: figures printed, never asserted (see bench/RESULTS.md for recorded runs).</summary>
public static class BenchCommand
{
    public static Command Create()
    {
        var bench = new Command("bench", "Measure throughput and overheads and print the figures");
        bench.Subcommands.Add(Coordination());
        bench.Subcommands.Add(Examples());
        bench.Subcommands.Add(FeatureVisBench.Create());
        bench.Subcommands.Add(StoreBench.Create());
        bench.Subcommands.Add(DecodeBench.Create());
        return bench;
    }

    private static Command Examples()
    {
        var model = new Option<string>("--model") { Description = "Architecture (demo-cnn or a zoo name such as googlenet)", DefaultValueFactory = _ => "googlenet" };
        var images = new Option<int>("--images") { Description = "Images in the pass", DefaultValueFactory = _ => 512 };
        var batch = new Option<int?>("--batch") { Description = "Images per forward pass (default: as the dataset pass sizes it, from the device's memory, or the --config's examples.batchSize)" };
        var memoryFormat = new Option<string>("--memory-format") { Description = BenchModels.LayoutHelp, DefaultValueFactory = _ => "auto" };
        var pixels = new Option<string>("--pixels") { Description = "How pixels travel to the device: auto (bytes on a GPU), bytes, float32, or both (one figure each)", DefaultValueFactory = _ => "auto" };
        var batchNorm = new Option<string>("--batch-norm") { Description = BenchModels.BatchNormHelp, DefaultValueFactory = _ => "folded" };
        var precision = new Option<string>("--precision") { Description = "The network's type: auto (the atlas's default: float16 on a GPU, float32 on the CPU), float32, float16, bfloat16, a comma-separated list, both (float32 and bfloat16) or all (one figure each, and how far each top-k list agrees with float32's)", DefaultValueFactory = _ => "auto" };
        var branches = new Option<string>("--branch-convolutions") { Description = BenchModels.BranchHelp, DefaultValueFactory = _ => "auto" };
        var inputConvolution = new Option<string>("--input-convolution") { Description = BenchModels.InputHelp, DefaultValueFactory = _ => "auto" };
        var config = new Option<FileInfo?>("--config") { Description = "Measure this atlas config's checkpoint on its data set (the first --images images) instead of random weights on noise; --model is then ignored" };
        var folder = new Option<DirectoryInfo?>("--folder") { Description = "Scan this image folder's photos (one subfolder per class; the first --images) with the random-weight network instead of noise: decoding included, as in a real pass" };
        var pixelCache = new Option<DirectoryInfo?>("--pixel-cache") { Description = "With --folder: keep decoded pixels in this folder (dataset.pixelCache); the first run fills it, later runs read it" };
        var command = new Command("examples", "Dataset images/s of a top-k pass over every atlas layer (random weights and noise images or a folder's photos, or a config's own)") { model, images, batch, memoryFormat, pixels, batchNorm, precision, branches, inputConvolution, config, folder, pixelCache };
        command.SetAction(AtlasCli.Guarded(async (parse, logger, cancellationToken) =>
        {
            Core.TorchRuntime.Initialize();
            var variants = (from layout in BenchModels.Layouts(parse.GetValue(memoryFormat)!)
                            from fold in BenchModels.Folds(parse.GetValue(batchNorm)!)
                            from transfer in BenchModels.Transfers(parse.GetValue(pixels)!)
                            from type in BenchModels.Precisions(parse.GetValue(precision)!)
                            from merge in BenchModels.BranchMerges(parse.GetValue(branches)!, type)
                            from spaceToDepth in BenchModels.InputSpaceToDepth(parse.GetValue(inputConvolution)!, type)
                            select new ExamplesBench.Variant(layout, fold, transfer, type, merge, spaceToDepth)).ToList();
            if (parse.GetValue(images) <= 0) throw new Core.AtlasInputException("--images: must be a positive number");
            if (parse.GetValue(batch) is <= 0) throw new Core.AtlasInputException("--batch: must be a positive number of images");
            var atlasConfig = parse.GetValue(config) is { } file ? Core.Configuration.AtlasConfigLoader.Load(file.FullName) : null;
            var photos = ExamplesPhotos(parse.GetValue(folder), parse.GetValue(pixelCache), atlasConfig is not null);
            try
            {
                ExamplesBench.Run(parse.GetValue(model)!, parse.GetValue(images), parse.GetValue(batch), k: 9, variants, logger, atlasConfig, photos, cancellationToken);
            }
            catch (Core.AtlasInputException e) when (photos?.PixelCache is not null && e.Message.StartsWith("dataset.pixelCache: ", StringComparison.Ordinal))
            {
                throw new Core.AtlasInputException($"--pixel-cache: {e.Message["dataset.pixelCache: ".Length..]}", e); // the cache names the config's field
            }
            cancellationToken.ThrowIfCancellationRequested(); // interrupted at the last moment: still the interrupt's exit code
            return ExitCodes.Success;
        }));
        return command;
    }

    private static ExamplesBench.Photos? ExamplesPhotos(DirectoryInfo? folder, DirectoryInfo? pixelCache, bool withConfig)
    {
        if (folder is null)
        {
            if (pixelCache is not null) throw new Core.AtlasInputException("--pixel-cache: needs --folder");
            return null;
        }
        if (withConfig) throw new Core.AtlasInputException("--folder: not with --config (the config names its own data set)");
        if (!folder.Exists) throw new Core.AtlasInputException($"--folder: '{folder.FullName}' not found");
        int files;
        try
        {
            files = Core.Data.ImageFolderListing.Of(folder.FullName).Files.Length;
        }
        catch (Core.AtlasInputException e) when (e.Message.StartsWith("dataset.path: ", StringComparison.Ordinal))
        {
            throw new Core.AtlasInputException($"--folder: {e.Message["dataset.path: ".Length..]}", e); // the listing names the config's field
        }
        if (files == 0) throw new Core.AtlasInputException($"--folder: no images in '{folder.FullName}' (one subfolder per class, .jpg/.png/.bmp/.webp files)");
        if (pixelCache is not null) BenchChecks.WritableFolder("--pixel-cache", pixelCache);
        return new ExamplesBench.Photos(folder.FullName, pixelCache?.FullName);
    }

    private static Command Coordination()
    {
        var units = new Option<int>("--units") { Description = "Tiny units in the job", DefaultValueFactory = _ => 2000 };
        var workers = new Option<int>("--workers") { Description = "Concurrent pseudo-workers (1 to 256, as ATLAS_WORKERS)", DefaultValueFactory = _ => 4 };
        var demo = new Option<FileInfo?>("--demo") { Description = "Also run this config's job on the embedded default and report its coordination overhead per unit" };
        var command = new Command("coordination", $"Units/s one job grain hands out (memory state, and Azure Blob state when {ClusterSettings.ConnectionVariable} is set); with --demo, overhead per unit of a real job") { units, workers, demo };
        command.SetAction(AtlasCli.Guarded(async (parse, logger, cancellationToken) =>
        {
            if (parse.GetValue(units) <= 0) throw new Core.AtlasInputException("--units: must be a positive number");
            // The same bound as a silo's worker loops: 1,024 pseudo-workers had not finished 200 units after two minutes.
            if (parse.GetValue(workers) is <= 0 or > Hosting.ClusterSettings.MaxWorkers)
                throw new Core.AtlasInputException($"--workers: must be between 1 and {Hosting.ClusterSettings.MaxWorkers}");
            var figures = new List<CoordinationBench.Figures>
            {
                await CoordinationBench.RunAsync(parse.GetValue(units), parse.GetValue(workers), null, logger, cancellationToken),
            };
            if (Environment.GetEnvironmentVariable(ClusterSettings.ConnectionVariable) is { Length: > 0 })
                figures.Add(await CoordinationBench.RunAsync(parse.GetValue(units), parse.GetValue(workers), ClusterSettings.FromEnvironment(), logger, cancellationToken));
            CoordinationBench.Print(figures);
            if (parse.GetValue(demo) is { } config)
                await DemoOverheadBench.RunAsync(Core.Configuration.AtlasConfigLoader.Load(config.FullName), logger, cancellationToken);
            return ExitCodes.Success;
        },
        // The benchmark's jobs are its instrument, not the user's: the in-process job grain's "Job bench/<guid> planned N
        // units" and "Completed" lines said nothing the table does not, so it keeps only its warnings.
        warningsOnlyFrom: [typeof(Atlas.Grains.Jobs.AtlasJobGrain).FullName!]));
        return command;
    }
}
