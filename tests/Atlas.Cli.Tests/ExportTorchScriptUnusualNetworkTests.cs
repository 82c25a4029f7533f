using Atlas.Core.Analysis;
using Atlas.Core.Models;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Atlas.Cli.Tests;

/// <summary>scripts/export-torchscript.py on networks built in less common ways, which it exports rather than refuse.</summary>
public class ExportTorchScriptUnusualNetworkTests
{
    private static string Script => Path.Combine(TestData.RepoRoot, "scripts", "export-torchscript.py");

    /// <summary>A max-pool that returns its indices too (as a network that unpools later keeps them).</summary>
    private const string NetworkSource = """
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv1 = nn.Conv2d(3, 8, 3, padding=1)
                self.pool = nn.MaxPool2d(2, return_indices=True)
                self.conv2 = nn.Conv2d(8, 8, 3, padding=1)
                self.conv3 = nn.Conv2d(8, 8, 3, padding=1)
                self.head = nn.Linear(8, 10)

            def forward(self, x):
                x, self.indices = self.pool(self.conv1(x).relu())
                return self.head(self.conv3(self.conv2(x).relu()).mean((2, 3)))
        """;

    [Fact]
    public async Task An_index_returning_max_pool_module_is_left_as_it_is_and_the_paths_after_it_give_circuits()
    {
        var folder = TestData.NewTempFolder("export-pool-indices");
        await File.WriteAllTextAsync(Path.Combine(folder, "poolnet.py"), NetworkSource);

        var export = await PythonProcess.RunAsync(folder, Script, "poolnet:Net",
            "--outputs", "conv1,conv2,conv3", "--final-name", "head", "--input-size", "16", "--out", "pool-atlas.pt");

        Assert.True(export.ExitCode == 0, export.ToString());
        // The pool's hook turned its (values, indices) pair into one tensor, the forward could not unpack it, and the
        // archive was written without any linearized path.
        Assert.DoesNotContain("warning", export.StdErr);
        var config = JsonSerializer.Deserialize<Atlas.Core.Configuration.ModelConfig>(JsonNode.Parse(export.StdOut)!["model"]!.ToJsonString(),
            new JsonSerializerOptions(JsonSerializerDefaults.Web))! with { Checkpoint = Path.Combine(folder, "pool-atlas.pt") };
        using var scripted = ModelLoader.Load(config, []);
        var probe = LayerProbes.For(scripted);
        var layers = LayerCatalog.Measure(scripted).ToDictionary(l => l.Name);
        var conv2To3 = CircuitAnalysis.Connect(probe, layers["conv2"], layers["conv3"], topK: 4, out var reason);
        Assert.True(conv2To3 is not null, reason);
        Assert.Equal((3, 3), (conv2To3!.KernelHeight, conv2To3.KernelWidth));
    }

    [Fact]
    public async Task A_network_that_cannot_be_deep_copied_is_exported_with_its_batch_norms_and_a_warning()
    {
        var folder = TestData.NewTempFolder("export-uncopyable");
        // A lock held by the network: copy.deepcopy, which batch-norm folding works on, refuses it.
        await File.WriteAllTextAsync(Path.Combine(folder, "locked.py"), """
            import threading
            import torch.nn as nn

            class Net(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.lock = threading.Lock()
                    self.conv = nn.Conv2d(3, 8, 3, padding=1)
                    self.bn = nn.BatchNorm2d(8)
                    self.head = nn.Linear(8, 10)

                def forward(self, x):
                    return self.head(self.bn(self.conv(x)).mean((2, 3)))
            """);

        var export = await PythonProcess.RunAsync(folder, Script, "locked:Net", "--outputs", "head", "--no-final", "--input-size", "16", "--out", "locked-atlas.pt");

        Assert.True(export.ExitCode == 0, export.ToString());
        Assert.Equal("warning: kept the batch norms: folding them needs a copy of the network, and making one failed (TypeError: cannot pickle '_thread.lock' object)",
            export.StdErr.Trim());
        Assert.True(File.Exists(Path.Combine(folder, "locked-atlas.pt")));
    }
}
