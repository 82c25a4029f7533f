using System.Diagnostics;
using Atlas.Core.Configuration;
using Atlas.Core.Data;
using Atlas.Core.Examples;
using Atlas.Core.Models;
using Atlas.Core.Rendering;
using Spectre.Console;
using static TorchSharp.torch;

namespace Atlas.Cli.Commands.Bench;

/// <summary>
/// Dataset images per second of a top-k pass over every atlas layer of a model (random weights; noise
/// images, or an image folder's photos, which are decoded as a real pass decodes them), for every
/// combination of the variants asked for; with both precisions, also how far the bfloat16 pass's top-k
/// lists agree with the float32 pass's.
/// </summary>
public static class ExamplesBench
{
    /// <summary>One figure's network and transfer: layout, batch norms folded or not, pixels as bytes (null: the scanner's default, bytes on a GPU only), compute type.</summary>
    public sealed record Variant(bool ChannelsLast, bool Fold, bool? PackBytes, ScalarType Precision, bool MergeBranches = false, bool InputSpaceToDepth = false)
    {
        /// <summary>What the variant is besides its precision, so agreement lines from a multi-variant run can be told apart.</summary>
        public string Setup => $"{(ChannelsLast ? "channels-last" : "contiguous")}, batch norms {(Fold ? "folded" : "kept")}{(MergeBranches ? ", 1×1 merged" : "")}{(InputSpaceToDepth ? ", input conv space to depth" : "")}, pixels {PackBytes switch { true => "as bytes", false => "as float32", null => "by default" }}";
    }

    /// <summary>Photos to scan instead of noise: an image folder, optionally through a pixel cache (dataset.pixelCache).</summary>
    public sealed record Photos(string Folder, string? PixelCache)
    {
        /// <summary>The folder as an atlas config with these settings opens it, at the model's input size.</summary>
        public IImageDataset Open(InputSpec input) => DatasetOpener.Open(new DatasetConfig
        {
            Kind = "image-folder", Path = Folder, PixelCache = PixelCache, ImageSize = input.Height, Channels = input.Channels,
        });

        public string Describe => $"{System.IO.Path.GetFileName(System.IO.Path.TrimEndingDirectorySeparator(Folder))}{(PixelCache is null ? "" : ", pixel cache")}";
    }

    /// <param name="requestedBatch">Images per forward pass; null sizes it as the dataset pass does (<see cref="ScanBatchSize"/>).</param>
    /// <param name="config">An atlas config whose checkpoint and data set to measure (a user's own network and images), instead of random weights and noise.</param>
    /// <param name="photos">An image folder to scan with the random-weight network instead of noise (ignored with <paramref name="config"/>).</param>
    /// <param name="cancellationToken">Ctrl+C or SIGTERM: the pass stops between batches.</param>
    public static void Run(string architecture, int images, int? requestedBatch, int k, IReadOnlyList<Variant> variants, Serilog.ILogger logger, AtlasConfig? config = null, Photos? photos = null, CancellationToken cancellationToken = default)
    {
        IReadOnlyList<string> classNames = [];
        if (config is not null)
            using (var opened = DatasetOpener.Open(config.Dataset)) (classNames, images) = (opened.ClassNames, Math.Min(images, opened.Count));
        else if (photos is not null)
            images = Math.Min(images, ImageFolderListing.Of(photos.Folder).Files.Length);
        string source = config is not null ? "config's" : photos?.Describe ?? "noise";
        var table = new Table().AddColumns("model", "device", "data", "precision", "layout", "pixels", "input", "layers", "units", "images", "batch", "s", "images/s");
        var results = new Dictionary<Variant, IReadOnlyDictionary<string, TopKTable>>();
        foreach (var variant in variants)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var network = new BenchModels.NetworkVariant(variant.Precision, variant.ChannelsLast, variant.Fold, MergeBranches: variant.MergeBranches, InputSpaceToDepth: variant.InputSpaceToDepth);
            var (model, rewrites) = config is null ? BenchModels.BuildVariant(architecture, null, network) : BenchModels.LoadVariant(config, classNames, network);
            using var _ = model;
            string layout = (variant.ChannelsLast ? "channels-last" : "contiguous") + rewrites;
            string pixels = (variant.PackBytes ?? PixelBytes.SentTo(ModelDevice.Of(model))) ? "bytes" : "float32";
            string precision = RenderPrecision.Name(variant.Precision);
            var layers = LayerCatalog.Measure(model);
            int batch = requestedBatch ?? ScanBatchSize.For(config?.Examples.BatchSize, model, layers, layers.Select(l => l.Name));
            using var data = config is not null ? DatasetOpener.Open(config.Dataset)
                : photos is not null ? photos.Open(model.Input)
                : new NoiseImageDataset(images, model.Input.Channels, model.Input.Height, model.Input.Width);
            // A warm-up pass: the first pays for allocations that a long pass does not. On a GPU it runs as many
            // batches as the timed pass has readers, so that the page-locked buffers it pins (which
            // HostBufferPool keeps) are all there before the clock starts.
            int warmBatches = ModelDevice.Of(model).type == TorchSharp.DeviceType.CUDA ? BatchPrefetcher.MostReaders : 1;
            DatasetExampleScanner.Scan(model, data, layers, 0, Math.Min(warmBatches * batch, images), k, batch, cancellationToken: cancellationToken, packBytes: variant.PackBytes);
            // A config's pass counts the model's accuracy as the dataset pass does (where its labels name the logits),
            // so the figure is that pass's; random weights on noise or unlabelled photos have nothing to count.
            var accuracy = config is not null && AccuracyTally.Unmeasurable(AccuracyTally.LogitsOf(model, layers), classNames.Count) is null ? new AccuracyTally() : null;
            var clock = Stopwatch.StartNew();
            results[variant] = DatasetExampleScanner.Scan(model, data, layers, 0, images, k, batch, cancellationToken: cancellationToken, packBytes: variant.PackBytes,
                accuracy: accuracy);
            var seconds = clock.Elapsed.TotalSeconds;
            if (accuracy is { Images: > 0 })
                logger.Information("ACCURACY of {Model} ({Precision}) on the config's data set: {Accuracy:P1} of {Images} images",
                    model.Architecture, precision, (double)accuracy.Correct / accuracy.Images, accuracy.Images);
            if (data is PixelCacheDataset cache)
                logger.Information("PIXELCACHE {Decoded} images decoded, {FromCache} read back from the cache (the warm-up pass included)", cache.Served.Decoded, cache.Served.FromCache);

            table.AddRow(Markup.Escape(model.Architecture), Markup.Escape(BenchDevice.Describe()), Markup.Escape(source), precision, layout, pixels, $"{model.Input.Channels}×{model.Input.Height}×{model.Input.Width}",
                $"{layers.Count}", $"{layers.Sum(l => l.Channels)}", $"{images}", $"{batch}", $"{seconds:F2}", $"{images / seconds:F1}");
            logger.Information("FIGURE top-{K} pass of {Model} over {Data} ({Precision}, {Layout}, pixels as {Pixels}) on {Device}: {Images} images, batch {Batch}, {Layers} layers, {Seconds:F2}s, {Rate:F1} images/s",
                k, model.Architecture, source, precision, layout, pixels, BenchDevice.Describe(), images, batch, layers.Count, seconds, images / seconds);
        }
        AnsiConsole.Write(table);

        foreach (var (variant, reduced) in results.Where(r => r.Key.Precision != ScalarType.Float32))
        {
            if (!results.TryGetValue(variant with { Precision = ScalarType.Float32 }, out var exact)) continue;
            var agreement = TopKAgreement.Compare(exact, reduced);
            AnsiConsole.MarkupLineInterpolated($"{RenderPrecision.Name(variant.Precision)} against float32 ({variant.Setup}): {agreement.MeanShared:P1} of each unit's top {k} shared, {agreement.IdenticalUnits:P1} of units identical");
            logger.Information("AGREEMENT top-{K} of {Precision} against float32 ({Setup}) over {Units} units: {Shared:P1} of each unit's images shared, {Identical:P1} of units identical",
                k, RenderPrecision.Name(variant.Precision), variant.Setup, agreement.Units, agreement.MeanShared, agreement.IdenticalUnits);
        }
    }
}
