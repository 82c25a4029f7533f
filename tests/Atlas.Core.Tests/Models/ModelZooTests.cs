using Atlas.Core.Models;
using Atlas.Core.Models.Zoo;
using static TorchSharp.torch;

namespace Atlas.Core.Tests.Models;

/// <summary>
/// Every zoo architecture with random weights at 64 px (the networks are fully convolutional up to an
/// adaptive pool, so a small input exercises every module while keeping CPU time low).
/// </summary>
[Collection(GlobalTorchRandomCollection.Name)]
public class ModelZooTests : IClassFixture<ModelZooTests.RandomModels>
{
    public static TheoryData<string> HookedArchitectures => new(ModelZoo.All.Where(a => a.Wrap is null).Select(a => a.Name));

    private readonly RandomModels models;

    public ModelZooTests(RandomModels models) => this.models = models;

    [Fact]
    public void The_zoo_has_the_promised_networks_and_aliases()
    {
        Assert.Equal(["demo-cnn", "googlenet", "inception_v3", "resnet18", "resnet34", "resnet50", "resnet101", "resnet152", "resnext50_32x4d", "wide_resnet50_2",
            "vgg11", "vgg11_bn", "vgg13", "vgg13_bn", "vgg16", "vgg16_bn", "vgg19", "vgg19_bn", "alexnet", "mobilenet_v2",
            "mobilenet_v3_large", "mobilenet_v3_small"], ModelZoo.Names);
        Assert.Equal("googlenet", ModelZoo.Get("InceptionV1").Name);
        var error = Assert.Throws<AtlasInputException>(() => ModelZoo.Get("inceptionv4"));
        Assert.Contains("unknown architecture 'inceptionv4'", error.Message);
        Assert.Contains("googlenet (inceptionv1", error.Message);
        foreach (var architecture in ModelZoo.All.Where(a => a.Name != "demo-cnn"))
        {
            int side = architecture.Name == "inception_v3" ? 299 : 224;
            Assert.Equal(new[] { 3, side, side }, new[] { architecture.Input.Channels, architecture.Input.Height, architecture.Input.Width });
            Assert.Equal([0.485f, 0.456f, 0.406f], architecture.Input.Mean);
            Assert.Equal([0.229f, 0.224f, 0.225f], architecture.Input.Std);
        }
    }

    /// <summary>
    /// The checks every architecture gets, in one test so that its network is built once: the zoo's networks would not
    /// fit in memory together, and <see cref="RandomModels"/> keeps only the last one.
    /// </summary>
    [Theory]
    [MemberData(nameof(HookedArchitectures))]
    public void Each_architecture_catalogs_its_layers_in_forward_order_stops_early_and_reads_pre_activations(string name)
    {
        Layer_catalog_matches_measured_channels_in_forward_order(name);
        Stopping_after_a_middle_layer_gives_the_full_forward_values_and_skips_the_rest(name);
        Pre_activation_is_what_the_activation_function_turns_into_the_output(name);
    }

    private void Layer_catalog_matches_measured_channels_in_forward_order(string name)
    {
        var model = models.Get(name);
        var catalog = LayerCatalog.Measure(model);
        var architecture = ModelZoo.Get(name);
        Assert.Equal(architecture.Layers.Select(l => l.Name), catalog.Select(l => l.Name));
        foreach (var (layer, measured) in architecture.Layers.Zip(catalog))
            Assert.Equal(layer.Channels ?? RandomModels.Classes, measured.Channels);
        Assert.Equal(LayerKind.Linear, catalog[^1].Kind);

        // Forward order: each layer's module finishes after the previous one's.
        var finished = new List<string>();
        var typed = model.Network.named_modules().ToDictionary(m => m.name, m => (nn.Module<Tensor, Tensor>)m.module);
        var removals = architecture.Layers.Select(l => typed[l.Module].register_forward_hook(_ => finished.Add(l.Module))).ToList();
        try
        {
            using var noGrad = no_grad();
            using var scope = NewDisposeScope();
            model.Logits(rand(1, 3, RandomModels.SizeFor(name), RandomModels.SizeFor(name)));
        }
        finally
        {
            foreach (var removal in removals) removal.remove();
        }
        Assert.Equal(architecture.Layers.Select(l => l.Module), finished);
    }

    private void Stopping_after_a_middle_layer_gives_the_full_forward_values_and_skips_the_rest(string name)
    {
        var model = models.Get(name);
        var architecture = ModelZoo.Get(name);
        var middle = architecture.Layers[architecture.Layers.Count / 2];
        var logitsModule = model.Network.named_modules().Single(m => m.name == architecture.Layers[^1].Module).module;
        int logitsCalls = 0;
        // A pre-hook: the stop exception is thrown from a post-hook, before other post-hooks would run.
        var counter = ((nn.Module<Tensor, Tensor>)logitsModule).register_forward_pre_hook(_ => logitsCalls++);
        using var noGrad = no_grad();
        using var pixels = rand(2, 3, RandomModels.SizeFor(name), RandomModels.SizeFor(name), generator: new Generator(5));
        try
        {
            foreach (bool pre in new[] { false, true })
            {
                var early = model.Activations(pixels, [middle.Name], pre);
                Assert.Equal(0, logitsCalls);
                var full = model.Activations(pixels, [middle.Name, "logits"], pre);
                Assert.Equal(1, logitsCalls);
                logitsCalls = 0;
                Assert.True(Same(early[middle.Name], full[middle.Name]), $"{name}.{middle.Name} (pre {pre}) differs between a stopped and a full forward");
                using var logits = model.Logits(pixels);
                Assert.True(Same(full["logits"], logits));
                logitsCalls = 0;
                foreach (var t in early.Values.Concat(full.Values)) t.Dispose();
            }
        }
        finally
        {
            counter.remove();
        }
    }

    private void Pre_activation_is_what_the_activation_function_turns_into_the_output(string name)
    {
        var model = models.Get(name);
        var architecture = ModelZoo.Get(name);
        using var noGrad = no_grad();
        using var pixels = rand(1, 3, RandomModels.SizeFor(name), RandomModels.SizeFor(name), generator: new Generator(9));
        var names = architecture.Layers.Select(l => l.Name).ToList();
        var post = model.Activations(pixels, names);
        var pre = model.Activations(pixels, names, preActivation: true);
        try
        {
            foreach (var layer in architecture.Layers)
            {
                var before = pre[layer.Name];
                var after = post[layer.Name];
                Assert.Equal(after.shape, before.shape);
                if (layer.Pre is PreActivationTap.NoActivation)
                {
                    Assert.True(Same(before, after), $"{name}.{layer.Name}: no activation, so pre must equal post");
                    continue;
                }
                // ReLU6 (MobileNetV2), Hardswish (MobileNetV3) or ReLU.
                using var activated = name switch
                {
                    "mobilenet_v2" => before.clamp(0, 6),
                    "mobilenet_v3_large" or "mobilenet_v3_small" => nn.functional.hardswish(before),
                    _ => before.relu(),
                };
                Assert.True(Same(activated, after), $"{name}.{layer.Name}: activation(pre) differs from post");
                Assert.True(before.lt(0).any().item<bool>(), $"{name}.{layer.Name}: pre-activation has no negative value, so it is not the pre-ReLU value");
            }
        }
        finally
        {
            foreach (var t in pre.Values.Concat(post.Values)) t.Dispose();
        }
    }

    [Theory]
    [InlineData("googlenet", "inception3a")]
    [InlineData("resnet18", "layer2")]
    [InlineData("mobilenet_v2", "conv0")]
    [InlineData("mobilenet_v3_small", "fc")] // through squeeze-and-excitation gates and Hardswish
    [InlineData("vgg16", "conv2_1")]
    [InlineData("inception_v3", "Mixed_6a")] // the max-pool branch passes on as it is
    public void Pre_activation_carries_a_gradient_to_the_pixels(string name, string layer)
    {
        var model = models.Get(name);
        using var scope = NewDisposeScope();
        var pixels = rand(1, 3, RandomModels.SizeFor(name), RandomModels.SizeFor(name), generator: new Generator(2)).requires_grad_();
        var activations = model.Activations(pixels, [layer], preActivation: true);
        using var activation = activations[layer];
        // A unit that is negative everywhere has zero gradient after a ReLU but not before it.
        activation.select(1, 0).mean().backward();
        Assert.True(pixels.grad is { } grad && grad.abs().sum().item<float>() > 0, $"{name}.{layer}: no gradient reached the pixels");
    }

    [Fact]
    public void Unknown_layer_is_an_input_error_listing_the_layers()
    {
        var error = Assert.Throws<AtlasInputException>(() => models.Get("googlenet").Activations(zeros(1, 3, 64, 64), ["mixed4d"]));
        Assert.Contains("no layer 'mixed4d'", error.Message);
        Assert.Contains("inception4d", error.Message);
    }

    private static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    /// <summary>
    /// One seeded random instance of the architecture a test of this class asked for last. The zoo's networks together
    /// would hold over 4 GB (a VGG's fully connected layers alone hold over 100 million parameters), so building
    /// another disposes of the one before.
    /// </summary>
    public sealed class RandomModels : IDisposable
    {
        public const int Size = 64;
        public const int Classes = 10;

        /// <summary>The side the tests give a network: 64, except where a network needs more (Inception v3 takes at least 75).</summary>
        public static int SizeFor(string name) => name == "inception_v3" ? 128 : Size;
        private readonly Dictionary<string, IAtlasModel> built = new();

        public IAtlasModel Get(string name)
        {
            lock (built)
            {
                if (built.TryGetValue(name, out var model)) return model;
                TorchRuntime.Initialize();
                random.manual_seed(3);
                var architecture = ModelZoo.Get(name);
                var network = architecture.Create(new ZooBuildOptions(Classes, TransformInput: false));
                network.eval();
                foreach (var other in built.Values) other.Dispose();
                built.Clear();
                return built[name] = architecture.WrapNetwork(network, architecture.InputFor(SizeFor(name)), []);
            }
        }

        public void Dispose()
        {
            foreach (var model in built.Values) model.Dispose();
        }
    }

    [Fact]
    public void A_picture_too_small_for_the_network_is_bad_input_naming_the_size_setting()
    {
        using var model = WorkingCopyNetworks.Build("alexnet", seed: 3, channelsLast: false, size: 32);
        var error = Assert.Throws<AtlasInputException>(() => LayerCatalog.Measure(model));
        Assert.StartsWith("model.inputSize: the network cannot take a 3×32×32 input (", error.Message);
        Assert.DoesNotContain("\n", error.Message);
    }
}
