using Atlas.Core.Models.Zoo;
using Microsoft.Extensions.Logging;
using static TorchSharp.torch;

namespace Atlas.Core.Models.Checkpoints;

/// <summary>
/// Copies a checkpoint's tensors into a built network by state-dict key, converting dtypes (fp16/bf16
/// weights become float32), and decides what a mismatch means. Every module of a zoo network lies on the
/// path to its logits (auxiliary heads are not built), so any missing parameter or running statistic is an
/// error naming the key and the first atlas layer it would leave random; only BatchNorm's
/// <c>num_batches_tracked</c> counters, unused at inference, may be absent, or stored as floats by a script that
/// cast a whole state dict to fp16. Keys the network lacks are reported.
/// </summary>
public static class StateDictLoader
{
    /// <summary>
    /// The file's tensors under the network's key names, with the prefix a trainer saved them under removed
    /// (<see cref="StateDictPrefix"/>, or the config's <c>model.keyPrefix</c>), and that prefix ("" for none).
    /// </summary>
    public static (IReadOnlyDictionary<string, Tensor> Tensors, string Prefix) Keyed(CheckpointTensors file, ZooArchitecture architecture, string? prefixGiven = null)
    {
        if (prefixGiven is { Length: > 0 } && !file.Tensors.Keys.Any(k => k.StartsWith(prefixGiven, StringComparison.Ordinal)))
            throw new AtlasInputException($"model.keyPrefix: no key of {file.Path} starts with '{prefixGiven}'");
        var prefix = prefixGiven ?? StateDictPrefix.Find([.. file.Tensors.Keys], architecture.LogitsWeightKey, file.Path, architecture.Name);
        return (StateDictPrefix.Strip(file.Tensors, prefix), prefix);
    }

    /// <summary>The class count a checkpoint was trained for: the row count of its logits weight.</summary>
    public static int Classes(IReadOnlyDictionary<string, Tensor> tensors, ZooArchitecture architecture) =>
        tensors.TryGetValue(architecture.LogitsWeightKey, out var weight) && weight.dim() == 2 && weight.shape[0] > 0
            ? (int)weight.shape[0]
            : architecture.DefaultClasses;

    public static ModelLoadReport Apply(nn.Module<Tensor, Tensor> network, ZooArchitecture architecture, CheckpointTensors file,
        IReadOnlyDictionary<string, Tensor> source, string prefix, int classes, InputSpec input, TimeSpan readTime)
    {
        var started = DateTime.UtcNow;
        var target = network.state_dict();
        var missing = target.Keys.Where(k => !source.ContainsKey(k)).ToList();
        var required = missing.Where(k => !IsCounter(k)).ToList();
        if (required.Count > 0)
        {
            var layer = ForwardOrder.FirstLayerFed(network, architecture, input, required[0]);
            var more = required.Count > 1 ? $" ({required.Count} of the network's {target.Count} keys are missing)" : "";
            throw new AtlasInputException(
                $"{file.Path}: has no '{prefix}{required[0]}', which {architecture.Name} needs for layer {layer}{more}; is it a {architecture.Name} checkpoint?");
        }
        // `{k: v.half() for k, v in state.items()}` turns the integer counters into floats too (an inf past 65,504);
        // they are training state, so such counters are left at their defaults rather than refusing the weights.
        var floatCounters = target.Where(p => IsCounter(p.Key) && source.TryGetValue(p.Key, out var stored)
            && stored.is_floating_point() && !p.Value.is_floating_point()).Select(p => p.Key).ToList();
        missing.AddRange(floatCounters);
        var present = target.Where(p => source.ContainsKey(p.Key) && !floatCounters.Contains(p.Key)).ToList();
        foreach (var (key, destination) in present)
        {
            var stored = source[key];
            if (!stored.shape.SequenceEqual(destination.shape))
                throw new AtlasInputException(
                    $"{file.Path}: '{prefix}{key}' has shape [{string.Join(", ", stored.shape)}] but {architecture.Name} needs [{string.Join(", ", destination.shape)}]; is it a {architecture.Name} checkpoint?");
            if (stored.is_floating_point() != destination.is_floating_point())
                throw new AtlasInputException($"{file.Path}: '{prefix}{key}' is stored as {stored.dtype} but {architecture.Name} needs {destination.dtype}");
        }
        using (no_grad())
        {
            // copy_ converts the dtype (fp16/bf16/fp64 to float32) and the device.
            foreach (var (key, destination) in present) destination.copy_(source[key]);
        }
        var extra = source.Keys.Where(k => !target.ContainsKey(k)).OrderBy(k => k, StringComparer.Ordinal).ToList();
        var auxiliary = extra.Where(k => architecture.AuxiliaryKeyPrefixes.Any(p => k.StartsWith(p, StringComparison.Ordinal))).ToList();
        // Keys beside the network (a loss's weights, an extra head) are only reported; keys inside one of its own
        // modules that it has no place for mean another network: resnet34's layer1.2 given as resnet18 would
        // otherwise load its first blocks and render a network nobody trained.
        var modules = target.Keys.Select(k => k[..Math.Max(0, k.IndexOf('.'))]).Where(m => m.Length > 0).ToHashSet(StringComparer.Ordinal);
        var inside = extra.Except(auxiliary)
            .Where(k => k.IndexOf('.') is > 0 and var dot && modules.Contains(k[..dot]) && !IsCounter(k))
            .ToList();
        if (inside.Count > 0)
            throw new AtlasInputException(
                $"{file.Path}: has {inside.Count} key(s) inside {architecture.Name}'s own layers that it has no place for ('{prefix}{inside[0]}'); is it a {architecture.Name} checkpoint, not a deeper variant?");
        return new ModelLoadReport(
            Checkpoint: file.Path,
            Format: file.FormatName,
            KeyPrefix: prefix,
            Architecture: architecture.Name,
            Classes: classes,
            Loaded: present.Count,
            MissingOptional: missing,
            Unexpected: extra.Except(auxiliary).ToList(),
            AuxiliaryIgnored: auxiliary,
            StoredTypes: present.Select(p => source[p.Key].dtype.ToString()).Distinct().Order(StringComparer.Ordinal).ToList(),
            Elapsed: readTime + (DateTime.UtcNow - started),
            Entry: file.Entry,
            OtherEntries: file.OtherEntries);
    }

    private static bool IsCounter(string key) => key.EndsWith(".num_batches_tracked", StringComparison.Ordinal);

    public static void Log(ModelLoadReport report, ILogger logger)
    {
        logger.LogInformation("Loaded {Architecture} ({Classes} classes) from {Checkpoint}: {Loaded} tensors, {Format} format, stored as {StoredTypes}, in {Seconds:F1} s",
            report.Architecture, report.Classes, report.Checkpoint, report.Loaded, report.Format, string.Join("/", report.StoredTypes), report.Elapsed.TotalSeconds);
        if (report.Entry is { } entry)
        {
            if (report.OtherEntries is { Count: > 0 } others)
                logger.LogInformation("Read {Architecture}'s weights from the checkpoint's entry '{Entry}'; it also holds tensors under {Others} (model.checkpointEntry picks one of those)",
                    report.Architecture, entry, string.Join(", ", others.Select(o => $"'{o}'")));
            else
                logger.LogInformation("Read {Architecture}'s weights from the checkpoint's entry '{Entry}'", report.Architecture, entry);
        }
        if (report.KeyPrefix.Length > 0)
            logger.LogInformation("Read {Architecture}'s weights from the checkpoint's keys under '{Prefix}'", report.Architecture, report.KeyPrefix);
        if (report.Note is { } note)
            logger.LogInformation("{Architecture}: {Note}", report.Architecture, note);
        if (report.AuxiliaryIgnored.Count > 0)
            logger.LogInformation("Ignored {Count} auxiliary-head keys the atlas does not build ({Prefixes})",
                report.AuxiliaryIgnored.Count, string.Join(", ", report.AuxiliaryIgnored.Select(k => k[..(k.IndexOf('.') + 1)] + "*").Distinct()));
        if (report.Unexpected.Count > 0)
            logger.LogWarning("Ignored {Count} checkpoint keys {Architecture} has no place for: {Keys}",
                report.Unexpected.Count, report.Architecture, Abbreviate(report.Unexpected));
        if (report.MissingOptional.Count > 0)
            logger.LogInformation("Kept {Count} optional buffers at their defaults (absent from the checkpoint, or batch counters it stores as floats): {Keys}",
                report.MissingOptional.Count, Abbreviate(report.MissingOptional));
    }

    private static string Abbreviate(IReadOnlyList<string> keys) =>
        keys.Count <= 8 ? string.Join(", ", keys) : $"{string.Join(", ", keys.Take(8))} and {keys.Count - 8} more";
}
