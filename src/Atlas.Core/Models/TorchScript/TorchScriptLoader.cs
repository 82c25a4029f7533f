using System.Diagnostics;
using System.IO.Compression;
using System.Text.Json;
using Atlas.Core.Configuration;
using Atlas.Core.Models.Checkpoints;
using static TorchSharp.torch;

namespace Atlas.Core.Models.TorchScript;

/// <summary>
/// Loads a TorchScript archive (<c>torch.jit.save</c>) as an atlas model, onto the CPU first and then the runtime's
/// device, whichever device it was saved from. One forward pass of two blank images checks it against the config
/// before any work is planned: the number of outputs model.outputs names, that each is N×C×H×W or N×C, and that
/// each has a gradient with respect to the pixels (feature visualization follows it).
/// </summary>
public static class TorchScriptLoader
{
    internal const int ProbeBatch = 2;

    public static (IAtlasModel Model, ModelLoadReport Report) Load(ModelConfig config, IReadOnlyList<string> classNames)
    {
        var clock = Stopwatch.StartNew();
        var path = config.Checkpoint;
        var input = TorchScriptInput.For(config);
        var outputs = config.Outputs is { Count: > 0 } named ? named
            : throw new AtlasInputException("model.outputs: is required for a torchscript model (the names of the tensors its forward returns, in order)");
        if (Directory.Exists(path)) throw new AtlasInputException($"{path}: a folder, not a checkpoint file");
        if (!File.Exists(path)) throw new AtlasInputException($"{path}: checkpoint file not found");
        TorchRuntime.Initialize();
        var (codeDigest, atlasJson) = ReadArchive(path);
        using var _ = atlasJson;
        bool unoptimized = TorchScriptExecutor.EnsureUnoptimized();

        jit.ScriptModule module;
        try
        {
            module = jit.load(path);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new AtlasInputException($"{path}: not a TorchScript archive this libtorch can load ({TorchErrors.Summary(e)})", e);
        }
        try
        {
            ModelDevice.FreezeOnRuntimeDevice(module);
            // As a zoo model's (ModelLoader): the layout serves every pass, and values change only by rounding.
            if (ChannelsLast.For(config.MemoryFormat, TorchRuntime.Device)) ChannelsLast.Apply(module);
            int classes = Check(module, input, outputs, config.PreActivations, path);
            // Read after Check, which counts the forward's outputs: an outputs list one short would otherwise surface as
            // an early stop's or a linearized path's position out of range, naming the archive's extra file.
            var (stops, linear) = (TorchScriptStops.Read(atlasJson, path, outputs.Count), TorchScriptLinearPaths.Read(atlasJson, path, outputs.Count));
            TorchScriptMethodCheck.Run(module, input, outputs, stops, linear, path);
            var preActivations = config.PreActivations ?? new Dictionary<string, string>();
            var model = new TorchScriptModel(module, input, outputs, preActivations, classes > 0 && classNames.Count == classes ? classNames : [], codeDigest, stops, linear);
            var parameters = module.parameters().ToList();
            var types = parameters.Select(p => p.dtype.ToString().ToLowerInvariant()).Distinct().ToList();
            var format = unoptimized ? "TorchScript" : "TorchScript (graph optimizer on: Grad-CAM may find no layer gradients)";
            var note = stops.All.Count > 0
                ? $"{stops.All.Count} early stops ({TorchScriptArchive.ExtraFileName}): a layer runs the network only as far as it needs"
                : $"no early stops ({TorchScriptArchive.ExtraFileName}): every layer runs the whole forward; scripts/export-torchscript.py adds them";
            note += linear.All.Count > 0
                ? $"; {linear.All.Count} linearized paths for circuits"
                : "; no linearized paths, so no circuits";
            var report = new ModelLoadReport(path, format, TorchScriptInput.ArchitectureName, classes, parameters.Count, [], [], [], types, clock.Elapsed, note);
            return (model, report);
        }
        catch
        {
            module.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A state dict saved with torch.save is a zip too, but holds no code: say what to do instead of libtorch's
    /// "constants.pkl not found". Returns the digest of the archive's code and its extra file (early stops and
    /// linearized paths; null when it has none), read from the same opening of the zip.
    /// </summary>
    private static (string CodeDigest, JsonDocument? AtlasJson) ReadArchive(string path)
    {
        ZipArchive zip;
        try
        {
            zip = ZipFile.OpenRead(path);
        }
        catch (InvalidDataException)
        {
            throw new AtlasInputException($"{path}: not a TorchScript archive (not a zip file); save one with torch.jit.save(torch.jit.script(model), path)");
        }
        using (zip)
        {
            if (!TorchScriptArchive.HasCode(zip))
                throw new AtlasInputException($"{path}: a PyTorch file without TorchScript code (a state dict saved with torch.save?); a torchscript model needs torch.jit.save(torch.jit.script(model), path), or name the zoo architecture the weights belong to");
            return (TorchScriptArchive.CodeDigest(zip), TorchScriptArchive.AtlasJson(zip, path));
        }
    }

    /// <summary>Runs two blank images through the module; returns the class count (the last layer's width when it is N×C, else 0).</summary>
    private static int Check(jit.ScriptModule module, InputSpec input, IReadOnlyList<string> outputs, IReadOnlyDictionary<string, string>? preActivations, string path)
    {
        using var scope = NewDisposeScope();
        // With gradients on, so an output that does not follow from the pixels (detached, or a constant) shows.
        using var gradients = enable_grad();
        // Two images: the atlas always runs batches, and a module traced at batch 1 may have that size baked in.
        var probe = zeros(ProbeBatch, input.Channels, input.Height, input.Width, device: TorchRuntime.Device).requires_grad_(true);
        using var normalization = new InputNormalization(input);
        object result;
        try
        {
            result = module.call(normalization.Apply(probe));
        }
        catch (ArgumentOutOfRangeException e)
        {
            // TorchSharp cannot read a Dict result (torchvision's create_feature_extractor returns one).
            throw new AtlasInputException($"{path}: the TorchScript module's forward returns a value TorchSharp cannot read (a dict?); return a tuple of tensors in model.outputs order instead", e);
        }
        catch (Exception e) when (e is not OutOfMemoryException and not AtlasInputException)
        {
            throw new AtlasInputException($"{path}: the TorchScript module fails on a {ProbeBatch}×{input.Channels}×{input.Height}×{input.Width} input (model.inputSize, model.inputChannels): {TorchErrors.Summary(e)}", e);
        }
        var tensors = TorchScriptModel.Unpack(result);
        if (tensors.Count != outputs.Count)
            throw new AtlasInputException($"model.outputs: names {Counted.Of(outputs.Count, "output")} ({string.Join(", ", outputs)}), but {Path.GetFileName(path)}'s forward returns {Counted.Of(tensors.Count, "tensor")}");
        for (int i = 0; i < tensors.Count; i++)
        {
            if (tensors[i].dim() is not (2 or 4))
                throw new AtlasInputException($"model.outputs: '{outputs[i]}' (output {i + 1}) is {string.Join("×", tensors[i].shape.Skip(1))} per image; atlas layers are C×H×W maps or C vectors");
            if (!tensors[i].requires_grad)
                throw new AtlasInputException($"model.outputs: '{outputs[i]}' (output {i + 1}) does not follow from the input pixels (detached, or computed without gradients), so nothing can be rendered for it");
        }
        foreach (var (layer, before) in preActivations ?? new Dictionary<string, string>())
        {
            var (post, pre) = (tensors[IndexOf(outputs, layer)], tensors[IndexOf(outputs, before)]);
            if (!post.shape.SequenceEqual(pre.shape))
                throw new AtlasInputException($"model.preActivations: '{before}' is {string.Join("×", pre.shape.Skip(1))} per image, but '{layer}' is {string.Join("×", post.shape.Skip(1))}; the value before a layer's ReLU has the layer's shape");
        }
        var last = tensors[IndexOf(outputs, TorchScriptInput.LayerNames(outputs, preActivations)[^1])];
        return last.dim() == 2 ? (int)last.shape[1] : 0;
    }

    private static int IndexOf(IReadOnlyList<string> names, string name) => names.Select((n, i) => (n, i)).First(p => p.n == name).i;
}
