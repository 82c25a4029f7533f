using System.Diagnostics;
using Atlas.Core;
using Atlas.Core.Examples;
using Atlas.Core.Models;
using Atlas.Core.Models.Zoo;
using Spectre.Console;
using static TorchSharp.torch;

namespace Atlas.Cli.Commands.Bench;

/// <summary>Dataset images per second of a top-k pass over every atlas layer of a model (random weights, noise images).</summary>
public static class ExamplesBench
{
    /// <param name="transfers">Per figure, whether pixels travel to the device as bytes (null: the scanner's default, bytes on a GPU only).</param>
    /// <param name="folds">Per figure, whether batch norms are folded into the convolutions (as the atlas's dataset pass does).</param>
    public static void Run(string architecture, int images, int batch, int k, IReadOnlyList<bool> layouts, IReadOnlyList<bool?> transfers,
        IReadOnlyList<bool> folds, Serilog.ILogger logger)
    {
        var table = new Table().AddColumns("model", "device", "layout", "pixels", "input", "layers", "units", "images", "batch", "s", "images/s");
        foreach (var (channelsLast, packBytes, fold) in layouts.SelectMany(l => transfers.SelectMany(t => folds.Select(f => (l, t, f)))))
        {
            using var model = BenchModels.Build(architecture);
            bool folded = fold && model.FoldBatchNorm() > 0;
            if (channelsLast) ChannelsLast.Apply(model.Network);
            string layout = (channelsLast ? "channels-last" : "contiguous") + (folded ? ", bn folded" : "");
            string pixels = (packBytes ?? ModelDevice.Of(model).type == TorchSharp.DeviceType.CUDA) ? "bytes" : "float32";
            var layers = LayerCatalog.Measure(model);
            using var data = new NoiseImageDataset(images, model.Input.Channels, model.Input.Height, model.Input.Width);
            // One warm-up batch: the first pass pays for allocations that a long pass does not.
            DatasetExampleScanner.Scan(model, data, layers, 0, Math.Min(batch, images), k, batch, packBytes: packBytes);
            var clock = Stopwatch.StartNew();
            DatasetExampleScanner.Scan(model, data, layers, 0, images, k, batch, packBytes: packBytes);
            var seconds = clock.Elapsed.TotalSeconds;

            table.AddRow(Markup.Escape(model.Architecture), Markup.Escape(BenchDevice.Describe()), layout, pixels, $"{model.Input.Channels}×{model.Input.Height}×{model.Input.Width}", $"{layers.Count}",
                $"{layers.Sum(l => l.Channels)}", $"{images}", $"{batch}", $"{seconds:F2}", $"{images / seconds:F1}");
            logger.Information("FIGURE top-{K} pass of {Model} ({Layout}, pixels as {Pixels}) on {Device}: {Images} images, batch {Batch}, {Layers} layers, {Seconds:F2}s, {Rate:F1} images/s",
                k, model.Architecture, layout, pixels, BenchDevice.Describe(), images, batch, layers.Count, seconds, images / seconds);
        }
        AnsiConsole.Write(table);
    }
}
