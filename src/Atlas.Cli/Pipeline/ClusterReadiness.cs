using Atlas.Abstractions;
using Atlas.Core;
using Atlas.Core.Configuration;
using Atlas.Core.Rendering;
using Atlas.Grains.Workers;
using Atlas.Storage;
using TorchSharp;

namespace Atlas.Cli.Pipeline;

/// <summary>
/// What `atlas submit` (and `atlas watch --cluster`) asks a cluster before it hands over a job: what its workers compute on (which sizes the
/// job's work units) and whether they can read the files the config names. Workers open the config's paths
/// themselves, so a laptop's paths that the cluster cannot see would otherwise fail every unit, minutes later.
/// </summary>
public static class ClusterReadiness
{
    /// <summary>
    /// The cluster's device, when the config leaves the work-unit size to it: a laptop that submits to GPU
    /// workers must plan GPU-sized units (<see cref="FeatureVisSettings.ChannelsPerUnit"/>), not its own.
    /// </summary>
    public static async Task<DeviceType?> WorkerDeviceAsync(IClusterClient client, AtlasConfig config, Serilog.ILogger logger)
    {
        if (config.FeatureVis.ChannelsPerUnit is not null) return null;
        // The worker silos' own reports; before any has reported (a cluster just started), the silo this client connects through.
        var reported = (await SiloQuestions.WorkerSilosAsync(client)).Select(s => s.Report.Device).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var name = reported.Count switch
        {
            0 => await client.GetGrain<ISiloProbeGrain>(0).DeviceType(),
            1 => reported[0],
            // GPU workers take most of a mixed cluster's units; CPU workers still finish theirs, only more slowly.
            _ => reported.FirstOrDefault(d => !d.Equals("cpu", StringComparison.OrdinalIgnoreCase)) ?? reported[0],
        };
        var device = Enum.Parse<DeviceType>(name, ignoreCase: true);
        if (reported.Count > 1) logger.Warning("The cluster's worker silos compute on {Devices}; work units are sized for {Device}", string.Join(" and ", reported), name);
        logger.Information("The cluster computes on {Device}: feature-vis work units of {Channels} channels", name, FeatureVisSettings.ChannelsPerUnit(config.FeatureVis, device));
        return device;
    }

    /// <summary>
    /// Throws <see cref="AtlasInputException"/> naming the first file or folder of the config that a worker silo cannot
    /// see. Every worker silo the cluster view lists is asked on its own machine; before any has reported, the silo this
    /// client connects through answers.
    /// </summary>
    public static async Task EnsureFilesVisibleAsync(IClusterClient client, AtlasConfig config, Serilog.ILogger? logger = null)
    {
        var files = FilesWorkersRead(config);
        // A folder store is made here first: the question is whether the cluster sees the same folder.
        foreach (var store in files.Where(f => f.Field == "output.store")) Directory.CreateDirectory(store.Path);
        var paths = files.Select(f => f.Path).ToList();
        var workers = await SiloQuestions.WorkerSilosAsync(client);
        IReadOnlyList<SiloPathCheck?> checks = workers.Count == 0
            ? [await client.GetGrain<ISiloProbeGrain>(0).CheckPaths(paths)]
            : await SiloQuestions.CheckPathsOnEachAsync(client, workers.Select(w => w.Address).ToList(), paths);
        for (int i = 0; i < checks.Count; i++)
        {
            if (checks[i] is null)
                logger?.Warning("Worker silo {Host}/{Process} could not be asked whether it sees the config's files (it may have left the cluster)", workers[i].Report.Host, workers[i].Report.ProcessId);
        }
        if (checks.OfType<SiloPathCheck>().Select(check => Problem(files, check)).FirstOrDefault(p => p is not null) is { } problem)
            throw new AtlasInputException(problem);
    }

    /// <summary>
    /// The config's fields whose paths the cluster opens, with the paths: the checkpoint, or for a watcher its source
    /// folder when that exists here (a source may appear later; its checkpoints reach workers through the store);
    /// the data; and a folder store (workers write into it).
    /// </summary>
    public static IReadOnlyList<(string Field, string Path)> FilesWorkersRead(AtlasConfig config)
    {
        var files = new List<(string, string)>();
        if (config.Watch is null) files.Add(("model.checkpoint", config.Model.Checkpoint));
        else if (Grains.Watchers.CheckpointSources.FolderOf(config.Watch.Source) is { } watched && Directory.Exists(watched)) files.Add(("watch.source", watched));
        files.Add(("dataset.path", config.Dataset.Path));
        if (ArtifactStores.LocalFolder(config.Output.Store) is { } folder) files.Add(("output.store", folder));
        return files;
    }

    /// <summary>The one-line error for the first path the silo lacks, or null when it sees them all.</summary>
    public static string? Problem(IReadOnlyList<(string Field, string Path)> files, SiloPathCheck check)
    {
        var missing = files.Where(f => check.Missing.Contains(f.Path)).ToList();
        if (missing.Count == 0) return null;
        var (field, path) = missing[0];
        var more = missing.Count > 1 ? $" (and {string.Join(", ", missing.Skip(1).Select(m => m.Field))})" : "";
        return $"{field}: '{path}' is not on the cluster's silo {check.Host}{more}; its workers open the config's files themselves, " +
               "so they must be readable there at the same path (a shared volume), and the store should be azure-blob:// or shared too; nothing was submitted";
    }
}
