using Atlas.Abstractions;
using Atlas.Core.Configuration;
using Atlas.Core.Data;
using Atlas.Core.Models;
using Atlas.Grains.Execution;
using Atlas.Grains.Jobs;
using Atlas.Grains.Tests.Watchers;
using Atlas.Storage;
using Atlas.Storage.Manifests;
using Microsoft.Extensions.Logging.Abstractions;
using static TorchSharp.torch;

namespace Atlas.Grains.Tests.Execution;

/// <summary>The model's accuracy on the atlas's data set, counted by the dataset pass's shards and merged by the reduce.</summary>
public class DatasetAccuracyTests
{
    [Fact]
    public async Task The_merged_count_equals_a_direct_count_of_the_model_s_top_1_hits_over_the_same_images()
    {
        var folder = WatchTestData.NewFolder("accuracy");
        var checkpoint = Path.Combine(folder, "model.pt");
        await File.WriteAllBytesAsync(checkpoint, WatchTestData.DemoCheckpoint(seed: 9));
        var dataset = WatchTestData.IdxDataset(count: 70);
        await File.WriteAllLinesAsync(Path.Combine(dataset, "classes.txt"), FashionMnist.ClassNames); // labels 0–9 named, so comparable
        var config = new AtlasConfig
        {
            Name = "accuracy",
            Model = new() { Architecture = "demo-cnn", Checkpoint = checkpoint },
            Dataset = new() { Kind = "idx", Path = dataset, Split = "test" },
            // Only conv1 is an atlas layer, so the shards must run the forward on to the logits; 70 images in uneven shards.
            Examples = new() { TopK = 3, BatchSize = 16, ImagesPerShard = 30 },
            Output = new() { Store = Path.Combine(folder, "store") },
        };
        int direct;
        IReadOnlyList<LayerInfo> layers;
        using (var model = ModelLoader.Load(config.Model, FashionMnist.ClassNames))
        using (var data = DatasetOpener.Open(config.Dataset))
        {
            layers = LayerCatalog.Measure(model).Where(l => l.Name == "conv1").ToList();
            direct = DirectCount(model, data);
        }
        var spec = JobSpecFactory.Create(config, ModelLoader.Sha256(checkpoint), layers, 70);

        using var executor = new UnitExecutor(NullLogger<UnitExecutor>.Instance);
        await WatchTestData.RunUnitsAsync(executor, spec, JobPlanner.Plan(spec).Where(u => u.Kind is WorkKind.ExampleShard or WorkKind.ReduceExamples));

        var store = new LocalFolderArtifactStore(config.Output.Store);
        var merged = (await store.GetJsonAsync<MergedExamplesWork>(new AtlasKeys(spec.Atlas, spec.Version).MergedExamplesWork))!;
        Assert.Equal(new DatasetAccuracy(direct, 70), merged.Accuracy);
        Assert.InRange(direct, 1, 69); // a count that says something: neither none nor all
    }

    /// <summary>Every image through the model's own logits at once, its argmax against the label.</summary>
    private static int DirectCount(IAtlasModel model, IImageDataset data)
    {
        var batch = data.Read(0, data.Count);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var predicted = model.Logits(tensor(batch.Pixels).view(data.Count, data.Channels, data.Height, data.Width)).argmax(1);
        return (int)predicted.eq(tensor(batch.Labels.Select(l => (long)l).ToArray())).sum().item<long>();
    }
}
