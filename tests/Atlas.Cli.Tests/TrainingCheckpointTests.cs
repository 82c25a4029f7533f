using Atlas.Core;
using Atlas.Core.Configuration;
using Atlas.Core.Models;

namespace Atlas.Cli.Tests;

/// <summary>
/// Checkpoints as trainers write them, by PyTorch itself: a network inside a Lightning-style module beside a loss's
/// weights, the optimizer's state and the hyper-parameters, metrics and dates a trainer keeps; one saved from a
/// torch.compile'd network; one holding a network and its EMA copy; one holding an object of the trainer's own class.
/// The first two load as the plain state dict does; the others are refused.
/// </summary>
public class TrainingCheckpointTests
{
    [Fact]
    public async Task A_network_saved_inside_a_trainers_module_loads_as_its_own_state_dict_does()
    {
        var folder = TestData.NewTempFolder("training-checkpoints");
        var saved = await PythonProcess.RunAsync(folder, "-c", """
            import torch, torchvision
            torch.manual_seed(0)
            net = torchvision.models.resnet18(num_classes=10).eval()  # eval: the step below must not move running statistics
            for bn in (m for m in net.modules() if isinstance(m, torch.nn.BatchNorm2d)):
                bn.running_mean.uniform_(-0.5, 0.5); bn.running_var.uniform_(0.5, 2)
            torch.save(net.state_dict(), "plain.pth")

            class Trainer(torch.nn.Module):
                def __init__(self):
                    super().__init__()
                    self.model = net
                    self.criterion = torch.nn.CrossEntropyLoss(weight=torch.rand(10))
            trainer = Trainer()
            optimizer = torch.optim.Adam(trainer.parameters())
            net(torch.rand(2, 3, 32, 32)).sum().backward()
            optimizer.zero_grad()  # the state is what matters: Adam's per-parameter tensors and step counts
            # What else a trainer keeps: hyper-parameters in Lightning's AttributeDict (its real qualified name, defined
            # here), an argparse Namespace and a path; a callback's tensors; metrics as NumPy values; dates; versions.
            import argparse, collections, datetime, pathlib, sys, numpy
            for name in ("lightning", "lightning.fabric", "lightning.fabric.utilities", "lightning.fabric.utilities.data"):
                sys.modules[name] = type(sys)(name)
            module = sys.modules["lightning.fabric.utilities.data"]
            class AttributeDict(dict):
                pass
            AttributeDict.__module__ = module.__name__
            module.AttributeDict = AttributeDict
            from omegaconf import OmegaConf  # a Hydra run's config, as Lightning keeps it
            config = OmegaConf.create({"model": {"name": "resnet18", "layers": [2, 2]}, "data": {"root": "/data", "shuffle": True}})
            hyper = AttributeDict(lr=0.001, data=pathlib.Path("/data/train"), args=argparse.Namespace(epochs=3, layers=[2, 2]), config=config)
            torch.save({"epoch": 3, "global_step": 120, "pytorch-lightning_version": "2.4.0", "state_dict": trainer.state_dict(),
                        "optimizer_states": [optimizer.state_dict()], "lr_schedulers": [], "hyper_parameters": hyper,
                        "callbacks": {"ModelCheckpoint{'monitor': 'val_acc'}": {"best_model_score": torch.tensor(0.93)}},
                        "best_acc": numpy.float64(0.93), "confusion": numpy.eye(3), "seen": collections.defaultdict(list, {"a": [1]}),
                        "saved": datetime.datetime(2026, 11, 27, tzinfo=datetime.timezone.utc), "torch": torch.__version__},
                       "lightning.ckpt")

            class Settings:  # a class of the trainer's own: not known to be data, so refused
                pass
            torch.save({"state_dict": net.state_dict(), "settings": Settings()}, "own-class.ckpt")

            class Compiled(torch.nn.Module):  # what torch.compile's wrapper names the network it holds
                def __init__(self):
                    super().__init__()
                    self._orig_mod = net
            torch.save(Compiled().state_dict(), "compiled.pth")

            class WithEma(torch.nn.Module):
                def __init__(self):
                    super().__init__()
                    self.model = net
                    self.ema = torchvision.models.resnet18(num_classes=10)
            with_ema = WithEma()
            torch.nn.init.normal_(with_ema.ema.fc.weight)  # an EMA copy that differs from the model
            torch.save({"state_dict": with_ema.state_dict()}, "ema.ckpt")
            torch.save(with_ema.ema.state_dict(), "ema-plain.pth")
            torch.save({"epoch": 9, "arch": "resnet18", "state_dict": net.state_dict(), "state_dict_ema": with_ema.ema.state_dict()}, "timm.pth.tar")
            """);
        Assert.True(saved.ExitCode == 0, saved.ToString());

        TorchRuntime.Initialize();
        using var pixels = TorchSharp.torch.rand(2, 3, 32, 32, generator: new TorchSharp.torch.Generator(3));
        using var noGrad = TorchSharp.torch.no_grad();
        using var plain = ModelLoader.Load("resnet18", Path.Combine(folder, "plain.pth"), []);
        using var expected = plain.Logits(pixels);
        foreach (var (file, prefix, ignored, entry) in new[] { ("lightning.ckpt", "model.", new[] { "criterion.weight" }, "state_dict"), ("compiled.pth", "_orig_mod.", [], null) })
        {
            var (model, report) = ModelLoader.LoadWithReport(new ModelConfig { Architecture = "resnet18", Checkpoint = Path.Combine(folder, file) }, []);
            using var _ = model;
            Assert.Equal(prefix, report.KeyPrefix);
            Assert.Equal((entry, 0), (report.Entry, report.OtherEntries!.Count));
            Assert.Equal(10, report.Classes);
            Assert.Equal(ignored, report.Unexpected);
            using var logits = model.Logits(pixels);
            Assert.True(logits.allclose(expected, rtol: 0, atol: 0), $"{file}: logits differ from the plain state dict's");
        }

        var own = Path.Combine(folder, "own-class.ckpt");
        var refused = Assert.Throws<AtlasInputException>(() => ModelLoader.Load("resnet18", own, []));
        Assert.StartsWith($"{own}: refused to load: the pickle references __main__.Settings", refused.Message);

        var ema = Path.Combine(folder, "ema.ckpt");
        var error = Assert.Throws<AtlasInputException>(() => ModelLoader.Load("resnet18", ema, []));
        Assert.Equal($"{ema}: holds a resnet18 logits weight ('fc.weight') under 2 prefixes ('ema.', 'model.'), so which network to load is ambiguous; name one in model.keyPrefix", error.Message);

        // Either copy, when the config names it: by its prefix, or by the training checkpoint's entry that holds it.
        using var emaPlain = ModelLoader.Load("resnet18", Path.Combine(folder, "ema-plain.pth"), []);
        using var emaExpected = emaPlain.Logits(pixels);
        Assert.False(emaExpected.allclose(expected), "the EMA copy computes what the model does");
        var timm = Path.Combine(folder, "timm.pth.tar");
        foreach (var config in new[]
        {
            new ModelConfig { Architecture = "resnet18", Checkpoint = ema, KeyPrefix = "ema." },
            new ModelConfig { Architecture = "resnet18", Checkpoint = timm, CheckpointEntry = "state_dict_ema" },
        })
        {
            using var model = ModelLoader.Load(config, []);
            using var logits = model.Logits(pixels);
            Assert.True(logits.allclose(emaExpected, rtol: 0, atol: 0), $"{Path.GetFileName(config.Checkpoint)}: not the EMA copy's logits");
        }
        // Unnamed, the first of the usual entries is read, and the report (so the log) says which and what else holds tensors.
        var (timmModel, timmReport) = ModelLoader.LoadWithReport(new ModelConfig { Architecture = "resnet18", Checkpoint = timm }, []);
        using (timmModel)
        using (var timmLogits = timmModel.Logits(pixels))
            Assert.True(timmLogits.allclose(expected, rtol: 0, atol: 0), "timm.pth.tar: not the model's logits");
        Assert.Equal("state_dict", timmReport.Entry);
        Assert.Equal(["state_dict_ema"], timmReport.OtherEntries!);
        var absent = Assert.Throws<AtlasInputException>(() => ModelLoader.Load(new ModelConfig { Architecture = "resnet18", Checkpoint = timm, CheckpointEntry = "ema" }, []));
        Assert.Equal($"model.checkpointEntry: {timm} has no entry 'ema' (entries that hold tensors: state_dict, state_dict_ema)", absent.Message);
    }

    [Fact]
    public async Task Weights_stored_channels_last_transposed_as_views_into_one_buffer_or_as_parameters_load_as_plain_ones_do_and_a_deeper_network_is_refused()
    {
        var folder = TestData.NewTempFolder("tensor-layouts");
        var saved = await PythonProcess.RunAsync(folder, "-c", """
            import torch, torchvision
            torch.manual_seed(1)
            net = torchvision.models.resnet18(num_classes=3).eval()
            plain = {k: v.clone().contiguous() for k, v in net.state_dict().items()}
            torch.save(plain, "plain.pth")
            # Layouts torch.load takes and a plain reader of the storages does not: channels-last and transposed weights,
            # and tensors that are views into one larger buffer at offsets (a flat parameter buffer, as some trainers keep).
            odd = dict(plain)
            odd["conv1.weight"] = plain["conv1.weight"].contiguous(memory_format=torch.channels_last)
            odd["fc.weight"] = plain["fc.weight"].t().contiguous().t()
            flat = torch.cat([plain["fc.bias"], plain["layer1.0.bn1.weight"], plain["fc.weight"].flatten()])
            odd["fc.bias"] = flat[0:3]
            odd["layer1.0.bn1.weight"] = flat[3:67]
            odd["fc.weight"] = flat[67:].view(3, 512)
            odd["layer4.1.conv2.weight"] = plain["layer4.1.conv2.weight"].contiguous(memory_format=torch.channels_last)
            torch.save(odd, "odd.pth")
            # A dict of nn.Parameters (dict(model.named_parameters()) plus the buffers), pickled as parameters.
            params = {k: torch.nn.Parameter(v.clone(), requires_grad=v.is_floating_point()) for k, v in plain.items()}
            torch.save(params, "parameters.pth")
            # A deeper network of the same family: its extra blocks sit inside resnet18's own layers.
            torch.save(torchvision.models.resnet34(num_classes=3).state_dict(), "resnet34.pth")
            """);
        Assert.True(saved.ExitCode == 0, saved.ToString());

        TorchRuntime.Initialize();
        using var pixels = TorchSharp.torch.rand(2, 3, 32, 32, generator: new TorchSharp.torch.Generator(5));
        using var noGrad = TorchSharp.torch.no_grad();
        using var plain = ModelLoader.Load("resnet18", Path.Combine(folder, "plain.pth"), []);
        using var expected = plain.Logits(pixels);
        foreach (var file in new[] { "odd.pth", "parameters.pth" })
        {
            using var model = ModelLoader.Load("resnet18", Path.Combine(folder, file), []);
            using var logits = model.Logits(pixels);
            Assert.True(logits.allclose(expected, rtol: 0, atol: 0), $"{file}: logits differ from the plain state dict's");
        }
        var deeper = Path.Combine(folder, "resnet34.pth");
        var refused = Assert.Throws<AtlasInputException>(() => ModelLoader.Load("resnet18", deeper, []));
        Assert.Equal($"{deeper}: has 80 key(s) inside resnet18's own layers that it has no place for ('layer1.2.bn1.bias'); is it a resnet18 checkpoint, not a deeper variant?", refused.Message);
    }
}
