using Atlas.Core.Configuration;
using Atlas.Core.Models;
using Atlas.Core.Tests.Models;
using Atlas.Core.Tests.Rendering;
using Atlas.Core.Training;
using Microsoft.Extensions.Logging.Abstractions;
using static TorchSharp.torch;

namespace Atlas.Core.Tests.Training;

/// <summary>
/// The trainer is reproducible, so a test that proves something on a trained model proves it on the
/// same model every run. Runs in the serial collection: it changes the process's thread count and
/// seeds the process-wide generator.
/// </summary>
[Collection(GlobalTorchRandomCollection.Name)]
public sealed class DemoTrainerTests : IDisposable
{
    // Ten batches of real Fashion-MNIST: a couple of seconds.
    private static readonly TrainConfig Tiny = new() { Epochs = 1, MaxImages = 1000, BatchSize = 100, Seed = 3 };

    private readonly string folder = Directory.CreateTempSubdirectory("atlas-trainer-").FullName;

    [Fact]
    public void Training_twice_gives_bit_identical_weights_whatever_the_thread_count_and_the_global_generator()
    {
        TorchRuntime.Initialize();
        var data = new DatasetConfig { Kind = "fashion-mnist", Path = TrainedDemo.FashionMnistFolder() };
        string first = Path.Combine(folder, "first.pt"), second = Path.Combine(folder, "second.pt");
        int threads = get_num_threads();
        try
        {
            DemoTrainer.Train(Tiny, data, first, NullLogger.Instance);
            Assert.Equal(threads, get_num_threads());

            // What used to change the weights between runs: the thread count (another machine's cores
            // split the kernels' sums differently) and the process-wide generator, which the network's
            // initialisation drew from while other threads could draw from it too.
            set_num_threads(threads + 1);
            random.manual_seed(99);
            DemoTrainer.Train(Tiny, data, second, NullLogger.Instance);
            Assert.Equal(threads + 1, get_num_threads()); // the caller's thread count is restored
        }
        finally
        {
            set_num_threads(threads);
        }

        var a = Weights(first);
        var b = Weights(second);
        try
        {
            Assert.Equal(a.Keys.Order(), b.Keys.Order());
            foreach (var name in a.Keys)
                Assert.True(a[name].eq(b[name]).all().item<bool>(), $"{name} differs by up to {(a[name] - b[name]).abs().max().item<float>():G3}");
        }
        finally
        {
            foreach (var t in a.Values.Concat(b.Values)) t.Dispose();
        }
    }

    private static Dictionary<string, Tensor> Weights(string checkpoint)
    {
        using var network = new DemoCnn();
        network.load(checkpoint);
        return network.state_dict().ToDictionary(p => p.Key, p => p.Value.detach().clone());
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);
}
