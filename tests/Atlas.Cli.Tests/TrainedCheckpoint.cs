using Atlas.Core.Configuration;
using Atlas.Core.Training;
using Atlas.Core;
using Atlas.Core.Models;
using Microsoft.Extensions.Logging.Abstractions;
using static TorchSharp.torch;

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

    /// <summary>
    /// Two checkpoints in <paramref name="folder"/>: first.pt, the trained one, and second.pt, the same with its logits'
    /// weights scaled, every other layer unchanged (a fine-tuned head), for tests of what versions share.
    /// </summary>
    public static async Task<(string First, string Second)> WithFineTunedHeadAsync(string folder)
    {
        var (first, second) = (Path.Combine(folder, "first.pt"), Path.Combine(folder, "second.pt"));
        File.Copy(await GetAsync(), first);
        TorchRuntime.Initialize();
        using var network = new DemoCnn();
        network.load(first);
        using (no_grad()) network.named_parameters().Single(p => p.name == "logits.weight").parameter.mul_(1.5f);
        network.save(second);
        return (first, second);
    }
}
