using System.CommandLine;
using System.Text.Json;
using Atlas.Core.Analysis;
using Atlas.Storage;
using Spectre.Console;

namespace Atlas.Cli.Commands;

/// <summary>
/// `atlas activations --model ARCH|CONFIG --weights FILE --image IMG --out DIR`: every atlas layer's
/// channel maps for one image as a grid picture, and the layers' statistics in DIR/activations.json.
/// </summary>
public static class ActivationsCommand
{
    public const string JsonFile = "activations.json";

    public sealed record LayerEntry(string Layer, long[] Shape, double Mean, double FractionNonPositive, double FractionChannelsActive, string? Grid);

    public sealed record ActivationsFile(string Model, string Image, IReadOnlyList<LayerEntry> Layers);

    public static Command Create()
    {
        var model = new Option<string>("--model", "-m") { Description = "Architecture (e.g. demo-cnn, googlenet) or an atlas config file whose model section to use", Required = true };
        var weights = new Option<string?>("--weights", "-w") { Description = "Checkpoint file (required with an architecture; overrides a config's checkpoint)" };
        var image = new Option<string>("--image", "-i") { Description = "Image file (PNG, JPEG, …); made the model's input as the dataset pass makes an image folder's pictures (resized and centre-cropped, never stretched)", Required = true };
        var layers = new Option<string[]>("--layer", "-l") { Description = "Only these layers (repeatable); all atlas layers by default", AllowMultipleArgumentsPerToken = true };
        var output = new Option<DirectoryInfo>("--out", "-o") { Description = "Folder for activations.json and one grid picture per layer", Required = true };
        var command = new Command("activations", "Intermediate activations of one image: channel-map grids and per-layer statistics") { model, weights, image, layers, output };
        command.SetAction(AtlasCli.Guarded((parse, logger, cancellationToken) =>
        {
            using var loaded = AnalysisModels.Load(parse.GetValue(model)!, parse.GetValue(weights), out var imageFolder);
            var imagePath = parse.GetValue(image)!;
            var (_, pixels) = AnalysisModels.ReadImage(loaded, imagePath, imageFolder);
            // A layer named twice is computed and written once.
            var requested = parse.GetValue(layers) is { Length: > 0 } named ? named.Distinct(StringComparer.Ordinal).ToArray() : null;
            IReadOnlyList<LayerActivations> results;
            using (pixels) results = ActivationMaps.Compute(loaded, pixels, requested);

            var files = new List<(string Name, byte[] Content)>();
            var entries = new List<LayerEntry>();
            foreach (var layer in results)
            {
                string? grid = null;
                if (layer.Grid is not null)
                {
                    grid = $"{ArtifactKey.Segment(layer.Layer)}.png";
                    files.Add((grid, layer.Grid.ToPng()));
                }
                entries.Add(new LayerEntry(layer.Layer, layer.Stats.Shape, layer.Stats.Mean, layer.Stats.FractionNonPositive, layer.Stats.FractionChannelsActive, grid));
                logger.Debug("{Layer} {Shape} mean {Mean} non-positive {Sparsity} channels active {Active}", layer.Layer, layer.Stats.Shape, layer.Stats.Mean, layer.Stats.FractionNonPositive, layer.Stats.FractionChannelsActive);
            }
            files.Add((JsonFile, JsonSerializer.SerializeToUtf8Bytes(new ActivationsFile(loaded.Architecture, Path.GetFullPath(imagePath), entries),
                new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true })));
            var folder = parse.GetValue(output)!.FullName;
            OutputFiles.WriteAll(folder, files);
            var console = OutputFiles.Console();

            var table = new Table().AddColumns("layer", "shape", "mean", "≤ 0", "channels active");
            foreach (var e in entries)
                table.AddRow(e.Layer, string.Join("×", e.Shape), e.Mean.ToString("F4"), e.FractionNonPositive.ToString("P1"), e.FractionChannelsActive.ToString("P1"));
            console.Write(table);
            console.MarkupLineInterpolated($"Wrote {entries.Count} layers to {Path.Combine(folder, JsonFile)}");
            return Task.FromResult(ExitCodes.Success);
        }));
        return command;
    }
}
