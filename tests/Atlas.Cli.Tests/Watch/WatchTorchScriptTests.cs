using System.Text.Json;
using Atlas.Cli.Tests.Analysis;
using Atlas.Storage;
using Atlas.Storage.Manifests;
using static TorchSharp.torch;

namespace Atlas.Cli.Tests.Watch;

/// <summary>
/// Watching a folder of TorchScript archives: a new archive whose code is the same reuses the layers its weights
/// leave unchanged; one with the same weights but other code (tests/fixtures/torchscript/tiny-cnn-avgpool.pt)
/// reuses nothing, because the code decides the layers as much as the weights do.
/// </summary>
public class WatchTorchScriptTests
{
    [Fact]
    public async Task Versions_reuse_layers_only_when_both_the_weights_before_them_and_the_code_are_the_same()
    {
        var folder = TestData.NewTempFolder("watch-torchscript");
        await TestData.WriteColourImagesAsync(folder);
        var checkpoints = Directory.CreateDirectory(Path.Combine(folder, "checkpoints")).FullName;
        var first = Path.Combine(checkpoints, "a-first.pt");
        File.Copy(TestData.TorchScriptFixture("tiny-cnn.pt"), first);
        var conv2Changed = Path.Combine(checkpoints, "b-conv2-changed.pt");
        Atlas.Core.TorchRuntime.Initialize();
        using (var module = jit.load(first))
        using (no_grad())
        {
            module.named_parameters().Single(p => p.name == "conv2.weight").parameter.add_(0.05f);
            jit.save(module, conv2Changed);
        }
        var otherCode = Path.Combine(checkpoints, "c-other-code.pt");
        File.Copy(TestData.TorchScriptFixture("tiny-cnn-avgpool.pt"), otherCode);
        foreach (var (path, minutesAgo) in new[] { (first, 3), (conv2Changed, 2), (otherCode, 1) })
            File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(-minutesAgo));
        var config = Path.Combine(folder, "config.json");
        await File.WriteAllTextAsync(config, """
            {
              "name": "watch-own",
              "model": { "architecture": "torchscript", "checkpoint": "unused.pt", "inputSize": 32, "outputs": ["conv1", "conv2", "logits"] },
              "dataset": { "kind": "image-folder", "path": "images" },
              "maxUnitsPerLayer": 2,
              "featureVis": { "steps": 2, "channelsPerUnit": 2, "diversity": false },
              "examples": { "topK": 3, "imagesPerShard": 5 },
              "output": { "store": "store", "site": "site" },
              "watch": { "source": "checkpoints", "schedule": "on-arrival", "keepVersions": 5 }
            }
            """);

        var outcome = await InProcessCli.RunAsync("watch", config, "--once", "--tick", "1");

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        var store = new LocalFolderArtifactStore(Path.Combine(folder, "store"));
        var versions = new List<string>();
        await foreach (var key in store.ListAsync(""))
            if (AtlasKeys.IsManifestKey(key)) versions.Add((await store.GetJsonAsync<AtlasManifest>(key))!.Version);
        var (v1, v2, v3) = (Sha12(first), Sha12(conv2Changed), Sha12(otherCode));
        Assert.Equal(new[] { v1, v2, v3 }.Order(), versions.Order());
        var log = outcome.StdOut + outcome.StdErr;
        Assert.Contains($"Version {v2} reuses layers conv1 of version {v1}", log);
        Assert.DoesNotContain($"Version {v3} reuses", log);
    }

    private static string Sha12(string path) => Atlas.Core.Models.ModelLoader.Sha256(path)[..12];
}
