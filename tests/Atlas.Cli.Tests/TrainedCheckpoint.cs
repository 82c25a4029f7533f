using Atlas.Core.Configuration;
using Atlas.Core.Training;
using Microsoft.Extensions.Logging.Abstractions;

namespace Atlas.Cli.Tests;

/// <summary>A small demo checkpoint trained once per test run (a few seconds) for tests that need a valid model.</summary>
public static class TrainedCheckpoint
{
    private static readonly Lazy<Task<string>> Checkpoint = new(() => Task.Run(() =>
    {
        var path = Path.Combine(TestData.NewTempFolder("checkpoint"), "demo.pt");
        DemoTrainer.Train(new TrainConfig { Epochs = 1, MaxImages = 1000, BatchSize = 100 },
            new DatasetConfig { Kind = "fashion-mnist", Path = TestData.FashionMnistFolder() }, path, NullLogger.Instance);
        return path;
    }));

    public static Task<string> GetAsync() => Checkpoint.Value;
}
