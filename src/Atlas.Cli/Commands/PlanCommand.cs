using System.CommandLine;
using Atlas.Abstractions;
using Atlas.Cli.Hosting;
using Atlas.Cli.Pipeline;
using Atlas.Core;
using Atlas.Core.Analysis;
using Atlas.Core.Comparison;
using Atlas.Core.Configuration;
using Atlas.Core.Models;
using Atlas.Grains.Execution;
using Atlas.Grains.Jobs;
using Atlas.Grains.Watchers;
using Atlas.Storage;
using Atlas.Storage.Manifests;
using Serilog;
using Serilog.Extensions.Logging;
using Spectre.Console;

namespace Atlas.Cli.Commands;

/// <summary>
/// `atlas plan CONFIG`: what `atlas run` would compute, and nothing else. It prepares as `run` does (the demo's data
/// fetched and its model trained on first use), loads the checkpoint, checks the config against the network, and
/// prints the layers (with how each will be joined to the one before for circuits), the work units and what the store
/// already holds of this version. Every bad-input check of
/// `run` happens here too, so a config that plans runs.
/// </summary>
public static class PlanCommand
{
    public static Command Create()
    {
        var arguments = new ConfigArguments();
        arguments.DescribeForPlan();
        var command = new Command("plan", "Show what `atlas run` would compute for a config (layers, units, work units, what the store holds) without computing it");
        arguments.AddTo(command);
        command.SetAction(AtlasCli.Guarded((parse, logger, cancellationToken) => PlanAsync(arguments.Load(parse), arguments.FieldsOf(parse), logger, cancellationToken)));
        return command;
    }

    private static async Task<int> PlanAsync(AtlasConfig config, OutputFields fields, ILogger logger, CancellationToken cancellationToken)
    {
        using var loggerFactory = new SerilogLoggerFactory(logger);
        var coreLogger = loggerFactory.CreateLogger("Atlas");
        EmbeddedSilo.CheckEnvironment(); // what `run` would refuse
        OutputPaths.EnsureConfigOutputs(config, fields);
        Preparation.EnsureData(config, coreLogger);
        Preparation.EnsureCheckpoint(config, coreLogger);
        var circuits = new List<(string Method, string? Reason)>();
        IReadOnlyDictionary<string, string> fingerprints = new Dictionary<string, string>();
        var (spec, catalog) = JobSpecBuilder.BuildWithLayers(config, coreLogger, whileLoaded: (model, layers) =>
        {
            circuits = CircuitsInto(model, layers);
            fingerprints = LayerFingerprints.Compute(model, layers.Select(l => l.Name).ToList());
        });
        var units = JobPlanner.Plan(spec);

        AnsiConsole.MarkupLineInterpolated($"Atlas [bold]{spec.Atlas}[/] version {spec.Version} ({Path.GetFileName(config.Model.Checkpoint)}, {config.Model.Architecture}) on {TorchRuntime.DeviceTypeName}");
        var table = new Table().AddColumn(new TableColumn("layer").NoWrap()).AddColumns("kind", "shape", "units", "feature-vis work units", "circuits in");
        foreach (var ((layer, info), circuit) in spec.Layers.Zip(catalog).Zip(circuits))
        {
            var shape = info.IsSpatial ? $"{info.Channels}×{info.Height}×{info.Width}" : info.Channels.ToString();
            var rendered = layer.Units == info.Channels ? $"{layer.Units}" : $"{layer.Units} of {info.Channels}";
            table.AddRow(Markup.Escape(layer.Name), info.Kind.ToString().ToLowerInvariant(), shape, rendered,
                units.Count(u => u.Kind == WorkKind.FeatureVis && u.Layer == layer.Name).ToString(), circuit.Method);
        }
        AnsiConsole.Write(table);
        foreach (var ((layer, _), circuit) in spec.Layers.Zip(catalog).Zip(circuits).Where(p => p.Second.Reason is not null))
            AnsiConsole.MarkupLineInterpolated($"No circuits into {layer.Name}: {circuit.Reason}");
        int shards = units.Count(u => u.Kind == WorkKind.ExampleShard);
        AnsiConsole.MarkupLineInterpolated(
            $"{Counted.Of(units.Count, "work unit")}: {units.Count(u => u.Kind == WorkKind.FeatureVis)} feature-vis (up to {spec.UnitsPerWorkUnit} units each), {Counted.Of(shards, "dataset shard")} (up to {spec.ImagesPerShard} images each, {spec.DatasetCount} in all), 1 merge, {spec.Layers.Count} analysis, 1 manifest");
        if (Selection(config.Dataset) is { } selection)
            AnsiConsole.MarkupLineInterpolated($"Data set: {spec.DatasetCount.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} of its {TotalImages(config.Dataset).ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} images ({selection})");
        var store = ArtifactStores.Open(config.Output.Store);
        var stored = await StoredAsync(store, fields.Store, config, spec, units, cancellationToken);
        AnsiConsole.MarkupLineInterpolated($"Store {store.Description}: {stored.Said}");
        if (stored.Computes && await LayerReuse.FindAsync(store, config, spec, fingerprints, cancellationToken) is ({ } from, var same))
            AnsiConsole.MarkupLineInterpolated($"Layers {string.Join(", ", same)} have the weights of version {from} up to them: `atlas run` copies their units from it (--force computes them)");
        // Where the site would go, so that --out (which plan checks as run does) is seen to take effect.
        AnsiConsole.MarkupLineInterpolated($"Site {config.Output.Site}: `atlas run` publishes the atlas there");
        return ExitCodes.Success;
    }

    /// <summary>Which images a limit or a sample keeps, said so that a limit over a class-sorted folder is not a surprise.</summary>
    private static string? Selection(DatasetConfig dataset) =>
        dataset.Sample is not null ? "dataset.sample: spread evenly over the sorted list, every class in its share"
        : dataset.Limit is not null ? $"dataset.limit: the first ones{(dataset.Kind == "image-folder" ? ", so only the first classes; dataset.sample spreads them" : "")}"
        : null;

    private static int TotalImages(DatasetConfig dataset)
    {
        using var all = Core.Data.DatasetOpener.Open(dataset with { Limit = null, Sample = null });
        return all.Count;
    }

    /// <summary>
    /// Per layer, how its analysis unit will join it to the layer before ("direct" or "expanded" weights, "none" with
    /// the reason, "—" for the first): the checks the analysis makes, without the kernels, so that an exported network
    /// that will get no circuits says so before the run.
    /// </summary>
    private static List<(string Method, string? Reason)> CircuitsInto(IAtlasModel model, IReadOnlyList<LayerInfo> layers)
    {
        var probe = LayerProbes.For(model);
        var result = new List<(string, string?)> { ("—", null) };
        foreach (var (from, to) in layers.Zip(layers.Skip(1)))
        {
            try
            {
                var method = CircuitAnalysis.Method(probe, from, to, out var reason);
                result.Add(method is { } m ? (m.ToString().ToLowerInvariant(), null) : ("none", reason));
            }
            catch (AtlasInputException e)
            {
                // As the analysis unit: a model whose layers cannot be probed still gets the rest of its atlas.
                result.Add(("none", e.Message));
            }
        }
        return result;
    }

    /// <summary>What `atlas run` would do with what the store holds of this version, and whether it computes anything.</summary>
    /// <param name="storeField">What an error calls the store: output.store, or --store when that replaced it.</param>
    private static async Task<(string Said, bool Computes)> StoredAsync(IArtifactStore store, string storeField, AtlasConfig config, AtlasJobSpec spec, IReadOnlyList<WorkUnit> units, CancellationToken cancellationToken)
    {
        var keys = new AtlasKeys(spec.Atlas, spec.Version);
        try
        {
            var fingerprint = RunFingerprint.Of(config, spec);
            if (await StoreAtlases.IsFinishedAsync(store, keys, cancellationToken))
                return await fingerprint.IsOfAnotherConfigAsync(store, keys, cancellationToken)
                    ? ("this version's atlas is there, made with another config; `atlas run` recomputes it with this one", true)
                    : ("this version's atlas is there; `atlas run` publishes it without computing (--force recomputes)", false);
            if (!await fingerprint.IsStoredAsync(store, keys, cancellationToken)) return ("nothing of this config's run; `atlas run` computes every unit", true);
            int done = 0;
            foreach (var key in units.Select(u => UnitOutputs.ManifestKey(keys, u)).OfType<string>())
            {
                if (await store.ExistsAsync(key, cancellationToken)) done++;
            }
            return ($"an interrupted run of this config with {done} of {units.Count} units done; `atlas run` resumes it", true);
        }
        catch (Exception e) when (e is Azure.RequestFailedException or AggregateException)
        {
            throw new AtlasInputException($"{storeField}: {store.Description} could not be reached ({ErrorCause.Of(e)})", e);
        }
    }
}
