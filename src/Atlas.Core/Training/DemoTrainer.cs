using System.Text.Json;
using Atlas.Core.Configuration;
using Atlas.Core.Data;
using Atlas.Core.Models;
using Microsoft.Extensions.Logging;
using TorchSharp;
using static TorchSharp.torch;

namespace Atlas.Core.Training;

/// <summary>What was trained, saved beside the checkpoint as {checkpoint}.json.</summary>
public sealed record CheckpointMetadata(string Architecture, int Epochs, int Seed, int TrainImages, double TestAccuracy, DateTimeOffset TrainedAt, IReadOnlyList<string> ClassNames);

/// <summary>
/// Trains the demo CNN (Adam, seeded shuffles and initialisation) and saves checkpoint and
/// metadata atomically, so a half-trained file never looks like a checkpoint.
/// Training is reproducible: the same settings and data give bit-identical weights, whatever the
/// machine's core count, the process's thread setting or what else in the process draws random numbers
/// (on one libtorch build and CPU instruction set; a different one may round differently).
/// </summary>
public static class DemoTrainer
{
    /// <summary>
    /// Changes when the same settings and data start to train different weights, so that callers caching
    /// a checkpoint by its settings (the test fixtures) can put it in the cache key.
    /// 2: one thread, initialisation from the trainer's own generator.
    /// </summary>
    public const int Version = 2;

    // The thread count is process-wide: trainings in one process take turns, so that one restoring the
    // caller's count never lets another run multithreaded.
    private static readonly object OneAtATime = new();

    public static string MetadataPath(string checkpoint) => checkpoint + ".json";

    /// <param name="progress">Receives (epoch fraction done, latest loss).</param>
    public static CheckpointMetadata Train(TrainConfig train, DatasetConfig data, string checkpoint, ILogger logger, IProgress<(double Fraction, double Loss)>? progress = null)
    {
        TorchRuntime.Initialize();
        using var trainSet = DatasetOpener.Open(data with { Limit = train.MaxImages }, "train");
        using var testSet = DatasetOpener.Open(data with { Limit = null }, "test");
        var classes = trainSet.ClassNames.Count > 0 ? trainSet.ClassNames : FashionMnist.ClassNames;

        // The demo set is small (60k × 784 bytes): hold it as bytes, convert batch by batch.
        var all = trainSet.Read(0, trainSet.Count);
        using var images = tensor(all.Pixels).view(trainSet.Count, trainSet.Channels, trainSet.Height, trainSet.Width);
        using var labels = tensor(all.Labels.Select(l => (long)l).ToArray());

        var network = new DemoCnn(trainSet.Channels, classes.Count);
        using var model = new DemoCnnModel(network, classes);
        lock (OneAtATime)
        {
            // Multithreaded kernels split their sums by the thread count, so the weights would depend on
            // the machine; on one thread they depend on the seed and the data alone. The data-set loading
            // above and the evaluation below keep the caller's threads: they do not change the weights.
            int threads = get_num_threads();
            set_num_threads(1);
            try
            {
                Initialize(network, train.Seed);
                Fit(model, network, images, labels, train, logger, progress);
            }
            finally
            {
                set_num_threads(threads);
            }
        }
        network.eval();
        double accuracy = Evaluate(model, testSet);
        logger.LogInformation("Demo model test accuracy {Accuracy:P2} on {Count} images", accuracy, testSet.Count);
        if (train.MinTestAccuracy is { } minimum && accuracy < minimum)
            throw new AtlasInputException($"model.train: test accuracy {accuracy:P2} is below model.train.minTestAccuracy {minimum:P2}");

        var metadata = new CheckpointMetadata(DemoCnn.ArchitectureName, train.Epochs, train.Seed, trainSet.Count, accuracy, DateTimeOffset.UtcNow, classes);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(checkpoint))!);
        var temp = checkpoint + $".{Environment.ProcessId}.tmp";
        network.save(temp);
        File.WriteAllText(MetadataPath(checkpoint), JsonSerializer.Serialize(metadata, new JsonSerializerOptions { WriteIndented = true }));
        File.Move(temp, checkpoint, overwrite: true);
        return metadata;
    }

    /// <summary>
    /// PyTorch's default initialisation of convolution and linear layers — weights and biases uniform in
    /// ±1/√fan-in — drawn from a generator of the trainer's own: the process-wide generator that the
    /// layers' constructors use can be drawn from by other threads of the process meanwhile.
    /// </summary>
    private static void Initialize(nn.Module network, int seed)
    {
        using var generator = new Generator((ulong)seed);
        using var noGrad = no_grad();
        var parameters = network.named_parameters().ToList();
        var byName = parameters.ToDictionary(p => p.name, p => p.parameter);
        foreach (var (name, parameter) in parameters)
        {
            var weight = byName[name[..name.LastIndexOf('.')] + ".weight"];
            double bound = 1 / Math.Sqrt(weight.numel() / weight.shape[0]);
            parameter.uniform_(-bound, bound, generator);
        }
    }

    private static void Fit(DemoCnnModel model, DemoCnn network, Tensor images, Tensor labels, TrainConfig train, ILogger logger, IProgress<(double Fraction, double Loss)>? progress)
    {
        long count = images.shape[0];
        using var optimizer = optim.Adam(network.parameters(), train.LearningRate);
        using var shuffler = new Generator((ulong)train.Seed);
        long batches = (count + train.BatchSize - 1) / train.BatchSize;
        for (int epoch = 0; epoch < train.Epochs; epoch++)
        {
            network.train();
            using var order = randperm(count, generator: shuffler);
            for (long b = 0; b < batches; b++)
            {
                using var scope = NewDisposeScope();
                var index = order.narrow(0, b * train.BatchSize, Math.Min(train.BatchSize, count - b * train.BatchSize));
                optimizer.zero_grad();
                var loss = nn.functional.cross_entropy(model.Logits(images.index_select(0, index)), labels.index_select(0, index));
                loss.backward();
                optimizer.step();
                if (b % 20 == 0 || b == batches - 1)
                    progress?.Report(((epoch + (b + 1.0) / batches) / train.Epochs, loss.item<float>()));
            }
            logger.LogInformation("Demo model epoch {Epoch}/{Epochs} done", epoch + 1, train.Epochs);
        }
    }

    public static double Evaluate(IAtlasModel model, IImageDataset data, int batchSize = 1000)
    {
        using var noGrad = no_grad();
        long correct = 0;
        for (int start = 0; start < data.Count; start += batchSize)
        {
            using var scope = NewDisposeScope();
            var batch = data.Read(start, Math.Min(batchSize, data.Count - start));
            var pixels = batch.ToTensor(data, ModelDevice.Of(model));
            var predicted = model.Logits(pixels).argmax(1);
            correct += predicted.eq(tensor(batch.Labels.Select(l => (long)l).ToArray())).sum().item<long>();
        }
        return (double)correct / data.Count;
    }

    public static CheckpointMetadata? ReadMetadata(string checkpoint)
    {
        var path = MetadataPath(checkpoint);
        if (!File.Exists(path)) return null;
        try
        {
            return JsonSerializer.Deserialize<CheckpointMetadata>(File.ReadAllText(path));
        }
        catch (JsonException)
        {
            return null; // metadata is a convenience; the checkpoint itself is what counts
        }
    }
}
