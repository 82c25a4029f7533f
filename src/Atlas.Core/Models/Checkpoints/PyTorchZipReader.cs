using System.Collections;
using System.IO.Compression;
using static TorchSharp.torch;

namespace Atlas.Core.Models.Checkpoints;

/// <summary>
/// PyTorch's zip checkpoint format (<c>torch.save</c> since 1.6, .pth/.pt/.bin): the pickle is checked
/// by <see cref="PickleSafetyScanner"/> first, then unpickled (<see cref="StateDictUnpickler"/>), which builds
/// tensors and containers only (a training checkpoint's hyper-parameters and metrics as inert
/// <see cref="OpaqueObject"/>s). A state dict saved on its own, or under a "state_dict"/"model" key of
/// a training checkpoint, is accepted.
/// </summary>
internal static class PyTorchZipReader
{
    private const long MaxPickleBytes = 256L << 20;
    private static readonly string[] WrapperKeys = ["state_dict", "model_state_dict", "model", "module", "net"];

    /// <summary>The state dict's tensors, with the top-level entry they were under and the other entries that hold tensors too.</summary>
    public static CheckpointTensors Read(string path, string? entry = null)
    {
        using var stream = File.OpenRead(path);
        CheckPickle(stream, path);
        stream.Position = 0;

        using var scope = NewDisposeScope();
        TrainingStateObjects.Register();
        object pickled;
        using (var archive = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true))
            pickled = StateDictUnpickler.Unpickle(archive, archive.Entries.First(e => e.Name.EndsWith("data.pkl", StringComparison.Ordinal)));
        var root = pickled as Hashtable ?? throw new AtlasInputException($"{path}: holds a {PickledKind(pickled)}, not a dict of tensors (a state dict)");
        entry ??= Tensors(root) is null ? WrapperKeys.FirstOrDefault(key => Tensors(root[key]) is not null) : null;
        var table = (entry is null ? Tensors(root) : Entry(root, entry, path)) ?? throw new AtlasInputException(
            $"{path}: holds no tensors at the top level or under {string.Join("/", WrapperKeys)} (not a state dict)");
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (DictionaryEntry item in table)
        {
            if (item.Key is string key && item.Value is Tensor value) tensors[key] = value.DetachFromDisposeScope();
        }
        // A training checkpoint may hold a second network (timm's state_dict_ema, a model_ema): the log names it.
        var others = entry is null ? [] : HoldingTensors(root).Where(k => k != entry).ToList();
        return new CheckpointTensors(path, CheckpointFormat.PyTorchZip, tensors) { Entry = entry, OtherEntries = others };
    }

    private static void CheckPickle(Stream stream, string path)
    {
        ZipArchive archive;
        try
        {
            archive = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
        }
        catch (InvalidDataException e)
        {
            throw new AtlasInputException($"{path}: truncated or corrupt zip archive ({e.Message.Split('\n')[0].TrimEnd('.')})", e);
        }
        using (archive)
        {
            // Its pickle names the module's own classes, which the scanner would refuse without saying what the file is.
            if (TorchScript.TorchScriptArchive.HasCode(archive))
                throw new AtlasInputException($"{path}: a TorchScript archive, not a state dict; load it with model.architecture \"torchscript\" and its outputs named in model.outputs (docs/config-reference.md, \"Your own network\")");
            // The same entry PyBridge unpickles: the first whose name ends in data.pkl.
            var entry = archive.Entries.FirstOrDefault(e => e.Name.EndsWith("data.pkl", StringComparison.Ordinal))
                ?? throw new AtlasInputException($"{path}: a zip archive without data.pkl, so not a PyTorch checkpoint");
            if (entry.Length > MaxPickleBytes)
                throw new AtlasInputException($"{path}: data.pkl is {entry.Length} bytes, too large for a state dict");
            using var pickle = new MemoryStream((int)entry.Length);
            using (var input = entry.Open()) input.CopyTo(pickle);
            PickleSafetyScanner.Check(pickle.GetBuffer().AsSpan(0, (int)pickle.Length), path);
        }
    }

    private static string PickledKind(object? value) => value switch
    {
        null => "None",
        Tensor => "single tensor",
        object[] or System.Collections.IList => "list or tuple",
        _ => value.GetType().Name,
    };

    private static Hashtable Entry(Hashtable root, string entry, string path)
    {
        if (Tensors(root[entry]) is { } inner) return inner;
        var holding = HoldingTensors(root);
        var listed = holding.Count > 0 ? string.Join(", ", holding) : "none";
        throw new AtlasInputException(root.ContainsKey(entry)
            ? $"model.checkpointEntry: '{entry}' in {path} holds no tensors (entries that do: {listed})"
            : $"model.checkpointEntry: {path} has no entry '{entry}' (entries that hold tensors: {listed})");
    }

    private static List<string> HoldingTensors(Hashtable root) =>
        root.Keys.OfType<string>().Where(k => Tensors(root[k]) is not null).Order(StringComparer.Ordinal).ToList();

    /// <summary>The value as a table when it is one that holds tensors: a state dict.</summary>
    private static Hashtable? Tensors(object? value) => value is Hashtable table && table.Values.OfType<Tensor>().Any() ? table : null;
}
