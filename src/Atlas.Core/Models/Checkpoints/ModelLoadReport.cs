namespace Atlas.Core.Models.Checkpoints;

/// <summary>
/// What loading a checkpoint did: how many tensors were copied into the network, which of the network's
/// optional buffers the file lacked, which file keys the network has no place for (auxiliary heads are
/// listed apart), the dtypes the file stored (anything but float32 was converted), and anything else about the
/// model worth a line of the log (a TorchScript archive's early stops), and the prefix the network's keys were
/// found under ("" when they are the file's own), and the training checkpoint's entry they came from with the other
/// entries that hold tensors too.
/// </summary>
public sealed record ModelLoadReport(
    string Checkpoint,
    string Format,
    string Architecture,
    int Classes,
    int Loaded,
    IReadOnlyList<string> MissingOptional,
    IReadOnlyList<string> Unexpected,
    IReadOnlyList<string> AuxiliaryIgnored,
    IReadOnlyList<string> StoredTypes,
    TimeSpan Elapsed,
    string? Note = null,
    string KeyPrefix = "",
    string? Entry = null,
    IReadOnlyList<string>? OtherEntries = null);
