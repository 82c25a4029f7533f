using System.CommandLine;
using System.Text.Json;
using Atlas.Core;
using Atlas.Core.Analysis;
using Atlas.Core.Imaging;
using Spectre.Console;

namespace Atlas.Cli.Commands;

/// <summary>
/// `atlas explain --model ARCH|CONFIG --weights FILE --image IMG --layer LAYER [--class ID|top] [--relu sum|per-channel] --out DIR`:
/// Grad-CAM of one image at one layer, written as DIR/gradcam.json plus an overlay picture.
/// </summary>
public static class ExplainCommand
{
    public const string JsonFile = "gradcam.json";
    public const string OverlayFile = "gradcam-overlay.png";

    /// <summary>The JSON file, exactly these fields: the heatmap is at the layer's resolution, divided by its maximum.</summary>
    public sealed record GradCamFile(string Model, string Layer, int Class, float Logit, float[][] Heatmap);

    public static Command Create()
    {
        var model = new Option<string>("--model", "-m") { Description = "Architecture (e.g. demo-cnn, googlenet) or an atlas config file whose model section to use", Required = true };
        var weights = new Option<string?>("--weights", "-w") { Description = "Checkpoint file (required with an architecture; overrides a config's checkpoint)" };
        var image = new Option<string>("--image", "-i") { Description = "Image file (PNG, JPEG, …); made the model's input as the dataset pass makes an image folder's pictures (resized and centre-cropped, never stretched)", Required = true };
        var layer = new Option<string>("--layer", "-l") { Description = "Convolutional layer whose activations Grad-CAM weighs", Required = true };
        var @class = new Option<string>("--class", "-c") { Description = "Class id to explain, or 'top' for the highest logit", DefaultValueFactory = _ => "top" };
        var relu = new Option<string>("--relu") { Description = "'sum': ReLU(Σ α_k A_k) (standard); 'per-channel': Σ ReLU(α_k A_k) (the lecture's form)", DefaultValueFactory = _ => "sum" };
        var output = new Option<DirectoryInfo>("--out", "-o") { Description = "Folder for gradcam.json and the overlay", Required = true };
        var command = new Command("explain", "Grad-CAM: which parts of an image drive a class logit, seen at one layer") { model, weights, image, layer, @class, relu, output };
        command.SetAction(AtlasCli.Guarded((parse, logger, cancellationToken) =>
        {
            var mode = ParseRelu(parse.GetValue(relu)!);
            int? classId = ParseClass(parse.GetValue(@class)!);
            var layerName = parse.GetValue(layer)!;
            using var loaded = AnalysisModels.Load(parse.GetValue(model)!, parse.GetValue(weights), out var imageFolder);
            var (picture, pixels) = AnalysisModels.ReadImage(loaded, parse.GetValue(image)!, imageFolder);
            GradCamResult result;
            using (pixels)
                result = GradCam.Compute(LayerProbes.For(loaded), pixels, layerName, classId is { } c ? [c] : null, mode)[0];
            logger.Debug("Grad-CAM {Layer} class {Class} logit {Logit} map {Height}x{Width}", result.Layer, result.Class, result.Logit, result.Height, result.Width);

            var json = JsonSerializer.SerializeToUtf8Bytes(new GradCamFile(loaded.Architecture, result.Layer, result.Class, result.Logit, result.Heatmap),
                new JsonSerializerOptions(JsonSerializerDefaults.Web));
            var overlay = HeatmapImages.Overlay(picture, result.Heatmap).ToPng();
            var folder = parse.GetValue(output)!.FullName;
            OutputFiles.WriteAll(folder, [(JsonFile, json), (OverlayFile, overlay)]);
            var console = OutputFiles.Console();

            var name = result.Class < loaded.ClassNames.Count ? $" ({loaded.ClassNames[result.Class]})" : "";
            console.MarkupLineInterpolated($"Grad-CAM of class {result.Class}{name}, logit {result.Logit:F3}, at {result.Layer} ({result.Height}×{result.Width}): {Path.Combine(folder, JsonFile)}, overlay {Path.Combine(folder, OverlayFile)}");
            // Grad-CAM keeps positive evidence only, so a map of zeros is a finding, not a failure; an unexplained flat
            // overlay looked like one.
            if (result.Heatmap.All(row => row.All(v => v == 0)))
                logger.Warning("The heatmap is zero everywhere: no position of {Layer} raises class {Class}'s logit (Grad-CAM keeps only what raises it); " +
                               "try an earlier layer, --relu per-channel, or another --class", result.Layer, result.Class);
            return Task.FromResult(ExitCodes.Success);
        }));
        return command;
    }

    private static GradCamRelu ParseRelu(string value) => value switch
    {
        "sum" => GradCamRelu.Sum,
        "per-channel" => GradCamRelu.PerChannel,
        _ => throw new AtlasInputException($"--relu: '{value}' is not 'sum' or 'per-channel'"),
    };

    private static int? ParseClass(string value) =>
        value == "top" ? null
        : int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id) ? id
        : throw new AtlasInputException($"--class: '{value}' is not a class id or 'top'");
}

/// <summary>Writes a verb's output files together: each to a temporary name first, so a failure leaves no half-written file.</summary>
internal static class OutputFiles
{
    /// <summary>A console on the current standard output (the shared AnsiConsole keeps the writer it first saw).</summary>
    public static IAnsiConsole Console() => Cli.Console.OutputWidth.Fit(AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(System.Console.Out) }));

    public static void WriteAll(string folder, IReadOnlyList<(string Name, byte[] Content)> files)
    {
        Pipeline.OutputPaths.EnsureCanBeFolder(folder, "--out");
        Directory.CreateDirectory(folder);
        var staged = new List<(string Temporary, string Final)>();
        try
        {
            foreach (var (name, content) in files)
            {
                var final = Path.Combine(folder, name);
                var temporary = $"{final}.{Guid.NewGuid():N}.tmp";
                File.WriteAllBytes(temporary, content);
                staged.Add((temporary, final));
            }
            foreach (var (temporary, final) in staged) File.Move(temporary, final, overwrite: true);
        }
        finally
        {
            foreach (var (temporary, _) in staged) if (File.Exists(temporary)) File.Delete(temporary);
        }
    }
}
