using static TorchSharp.torch;

namespace Atlas.Core.Models.Checkpoints;

public enum CheckpointFormat { PyTorchZip, Safetensors, TorchSharp }

/// <summary>The tensors of a checkpoint file, by state-dict key, as stored (any dtype). Disposing frees them.</summary>
public sealed class CheckpointTensors : IDisposable
{
    public CheckpointTensors(string path, CheckpointFormat format, IReadOnlyDictionary<string, Tensor> tensors)
    {
        Path = path;
        Format = format;
        Tensors = tensors;
    }

    public string Path { get; }
    public CheckpointFormat Format { get; }
    public IReadOnlyDictionary<string, Tensor> Tensors { get; }
    /// <summary>The training checkpoint's top-level entry the state dict was read from; null where the file is the state dict.</summary>
    public string? Entry { get; init; }
    /// <summary>The checkpoint's other top-level entries that hold tensors too (an EMA copy of the network, say).</summary>
    public IReadOnlyList<string> OtherEntries { get; init; } = [];

    public string FormatName => Format switch
    {
        CheckpointFormat.PyTorchZip => "PyTorch zip",
        CheckpointFormat.Safetensors => "safetensors",
        _ => "TorchSharp",
    };

    public void Dispose()
    {
        foreach (var tensor in Tensors.Values) tensor.Dispose();
    }
}
