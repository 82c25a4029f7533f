using System.Text.Json;
using Atlas.Core;
using Atlas.Core.Models;
using Atlas.Core.Models.Zoo;

namespace Atlas.Cli.Tests;

/// <summary>The zoo's networks against the state dicts PyTorch's own torchvision writes for them.</summary>
public class TorchVisionStateDictTests
{
    [Fact]
    public async Task Every_zoo_ResNet_VGG_MobileNetV3_and_Inception_v3_has_the_keys_and_shapes_of_torchvisions_state_dict()
    {
        var names = ModelZoo.Names.Where(n => n.StartsWith("resnet") || n.StartsWith("resnext") || n.StartsWith("wide_resnet") || n.StartsWith("vgg")
            || n.StartsWith("mobilenet_v3") || n == "inception_v3").ToList();
        Assert.Equal(18, names.Count);
        var folder = TestData.NewTempFolder("torchvision-keys");
        // Batch norms' num_batches_tracked counters are training state that PyTorch writes and the zoo does not need.
        var listed = await PythonProcess.RunAsync(folder, "-c", $$"""
            import json, torchvision
            shapes = {n: {k: list(v.shape) for k, v in getattr(torchvision.models, n)().state_dict().items()
                          if not k.endswith("num_batches_tracked")} for n in {{JsonSerializer.Serialize(names)}}}
            print(json.dumps(shapes))
            """);
        Assert.True(listed.ExitCode == 0, listed.ToString());
        var python = JsonSerializer.Deserialize<Dictionary<string, Dictionary<string, long[]>>>(listed.StdOut)!;

        TorchRuntime.Initialize();
        foreach (var name in names)
        {
            using var network = ModelZoo.Get(name).Create(new ZooBuildOptions(1000, TransformInput: false));
            var zoo = network.state_dict().Where(p => !p.Key.EndsWith("num_batches_tracked")).ToDictionary(p => p.Key, p => p.Value.shape);
            Assert.True(python[name].Keys.Order().SequenceEqual(zoo.Keys.Order()),
                $"{name}: only in torchvision's: {string.Join(", ", python[name].Keys.Except(zoo.Keys).Take(5))}; only in the zoo's: {string.Join(", ", zoo.Keys.Except(python[name].Keys).Take(5))}");
            foreach (var (key, shape) in python[name])
                Assert.True(shape.SequenceEqual(zoo[key]), $"{name}.{key}: torchvision's is {string.Join('×', shape)}, the zoo's {string.Join('×', zoo[key])}");
        }
    }

    [Theory]
    [InlineData("resnext50_32x4d", "layer2", "layer2", 64)] // grouped convolutions
    [InlineData("resnet34", "layer4", "layer4", 64)] // basic blocks, as deep as the zoo's basic-block ResNets go
    [InlineData("wide_resnet50_2", "layer3", "layer3", 64)] // bottlenecks twice as wide inside as out
    [InlineData("vgg11_bn", "features.17", "conv4_1", 64)] // conv, batch norm, ReLU; the classifier after the adaptive pool
    [InlineData("inception_v3", "Mixed_6a", "Mixed_6a", 128)] // batch norms with eps 0.001, asymmetric 1×7 and 7×1 kernels, a max-pool branch
    [InlineData("mobilenet_v3_large", "features.13", "block13", 64)] // Hardswish, squeeze-and-excitation, 5×5 depthwise convolutions
    [InlineData("mobilenet_v3_small", "classifier.1", "fc", 64, "num_classes=7")] // another class count than TorchSharp builds it with
    public async Task A_checkpoint_written_by_PyTorch_computes_PyTorchs_values(string network, string module, string layer, int side, string arguments = "")
    {
        var folder = TestData.NewTempFolder("torchvision-values");
        // PyTorch's values for [0, 1] pixels, normalized as the zoo normalizes them inside the model. The batch norms get
        // running statistics and affine parameters far from a fresh network's (mean 0, variance 1, scale 1, shift 0),
        // on which a wrong fold or a swapped buffer would go unseen.
        var saved = await PythonProcess.RunAsync(folder, "-c", $$"""
            import torch, torchvision
            torch.manual_seed(0)
            net = torchvision.models.{{network}}({{arguments}}).eval()
            for bn in (m for m in net.modules() if isinstance(m, torch.nn.BatchNorm2d)):
                bn.running_mean.uniform_(-0.5, 0.5); bn.running_var.uniform_(0.5, 2)
                bn.weight.data.uniform_(0.5, 1.5); bn.bias.data.uniform_(-0.5, 0.5)
            torch.save(net.state_dict(), "net.pth")
            pixels = torch.rand(2, 3, {{side}}, {{side}})
            mean = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
            std = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)
            kept = {}
            net.get_submodule("{{module}}").register_forward_hook(lambda m, i, o: kept.update(layer=o.clone()))
            with torch.no_grad():
                logits = net((pixels - mean) / std)
            torch.save({"pixels": pixels, "layer": kept["layer"], "logits": logits}, "reference.pt")
            """);
        Assert.True(saved.ExitCode == 0, saved.ToString());

        using var reference = Atlas.Core.Models.Checkpoints.CheckpointReader.Read(Path.Combine(folder, "reference.pt"));
        using var model = ModelLoader.Load(network, Path.Combine(folder, "net.pth"), []);
        using var noGrad = TorchSharp.torch.no_grad();
        var pixels = reference.Tensors["pixels"];
        using var activation = model.Activations(pixels, [layer])[layer];
        using var logits = model.Logits(pixels);
        foreach (var (name, actual) in new[] { ("layer", activation), ("logits", logits) })
        {
            var expected = reference.Tensors[name];
            double scale = expected.abs().max().item<float>(), gap = (actual - expected).abs().max().item<float>();
            Assert.True(scale > 0 && gap <= 1e-3 * scale, $"{network} {(name == "layer" ? layer : name)}: largest difference {gap:G3} from PyTorch's at scale {scale:G3}");
        }
        // VGG's checkpoint is half a gigabyte; the run's scratch folder is removed only when the whole run ends.
        File.Delete(Path.Combine(folder, "net.pth"));
    }
}
