namespace Atlas.Cli.Tests;

/// <summary>
/// scripts/export-torchscript.py given what a user gets wrong: each is one line on stderr naming the argument (or the
/// place in the user's own file), exit 2, no Python traceback, and no archive at --out.
/// </summary>
public class ExportTorchScriptBadInputTests
{
    /// <summary>The user's own file: a network, and the ways a module, a constructor or a forward can fail.</summary>
    private const string NetworksSource = """
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self, classes=10):
                super().__init__()
                self.stem = nn.Conv2d(3, 8, 3, padding=1)
                self.relu = nn.ReLU()
                self.head = nn.Linear(8, classes)

            def forward(self, x):
                return self.head(self.relu(self.stem(x)).mean((2, 3)))

        class Sized(nn.Module):
            def __init__(self, width, depth):
                super().__init__()

        class Refuses(nn.Module):
            def __init__(self):
                super().__init__()
                raise ValueError("no such variant")

        class Crashes(Net):
            def forward(self, x):
                raise ValueError("forward is broken")

        class Baked(Net):
            def forward(self, x):
                return self.head(self.relu(self.stem(x)).mean((2, 3)).view(2, 8))

        class Odd(Net):
            def __init__(self):
                super().__init__()
                self.blocks = nn.ModuleDict({"my block": nn.Identity()})

            def forward(self, x):
                return super().forward(self.blocks["my block"](x))

        NOT_A_NETWORK = 42
        """;

    private static string Script => Path.Combine(TestData.RepoRoot, "scripts", "export-torchscript.py");

    public static TheoryData<string[], string> BadInputs => new()
    {
        // The user's module fails as it is imported, or names something that is no network factory.
        { ["broken:Net"], "error: MODEL: importing 'broken' failed: RuntimeError: boom at import (broken.py:2)" },
        { ["typo:Net"], "error: MODEL: importing 'typo' failed: SyntaxError: invalid syntax (typo.py:1)" },
        { ["nets:NOT_A_NETWORK"], "error: MODEL: 'nets:NOT_A_NETWORK' is int, not a class or function that returns the network" },
        // Its constructor needs arguments, gets wrong ones, or raises.
        { ["nets:Sized"], "error: MODEL: calling 'nets:Sized' failed: TypeError: Sized.__init__() missing 2 required positional arguments: 'width' and 'depth' (--kwargs passes its arguments, as a JSON object)" },
        { ["nets:Net", "--kwargs", "{classes: 4}"], "error: --kwargs: '{classes: 4}' is not JSON (Expecting property name enclosed in double quotes at character 1)" },
        { ["nets:Net", "--kwargs", "[4]"], "error: --kwargs: must be a JSON object of keyword arguments (for example '{\"classes\": 4}'), not list" },
        { ["nets:Refuses"], "error: MODEL: calling 'nets:Refuses' failed: ValueError: no such variant (nets.py:20)" },
        // Its forward raises, or does not take the images asked for.
        { ["nets:Crashes"], "error: the network fails on 2×3×32×32 images (--input-size 32, --channels 3): ValueError: forward is broken (nets.py:24)" },
        { ["nets:Net", "--channels", "1"], "error: the network fails on 2×1×32×32 images (--input-size 32, --channels 1): RuntimeError: Given groups=1, weight of size [8, 3, 3, 3], expected input[2, 1, 32, 32] to have 3 channels, but got 1 channels instead (nets.py:11)" },
        // What the printed config would carry into the atlas is held to the atlas's rules (model.inputSize, outputs, mean, std).
        { ["nets:Net", "--input-size", "0"], "error: --input-size: 0 is not between 16 and 4096 (the atlas's model.inputSize)" },
        { ["nets:Net", "--input-size", "-5"], "error: --input-size: -5 is not between 16 and 4096 (the atlas's model.inputSize)" },
        { ["nets:Net", "--input-size", "100000"], "error: --input-size: 100000 is not between 16 and 4096 (the atlas's model.inputSize)" },
        { ["nets:Net", "--outputs", ""], "error: --outputs: '' names no module (comma-separated module paths, for example conv1,layer1)" },
        { ["nets:Net", "--outputs", " , ", "--no-final"], "error: --outputs: ' , ' names no module (comma-separated module paths, for example conv1,layer1)" },
        { ["nets:Net", "--final-name", "class scores"], "error: --final-name: 'class scores' cannot be an atlas layer name (ASCII letters, digits, '_', '-' or '.', starting with a letter or digit, at most 100 characters)" },
        { ["nets:Net", "--mean", "0.5,x,0.5"], "error: --mean: 'x' is not a number" },
        { ["nets:Net", "--mean", "0.5"], "error: --mean: 1 value for 3-channel images (--channels 3); give one per channel" },
        { ["nets:Net", "--mean", "nan,0,0"], "error: --mean: nan is not a finite number" },
        { ["nets:Net", "--std", "0.2,0,0.2"], "error: --std: 0 is not positive" },
        { ["nets:Net", "--weights", ""], "error: --weights: is empty (leave it out to export the network with the weights its constructor gives it)" },
        { ["nets:Net", "--outputs", "relu", "--pre-activations", "relu=stem,relu=head"], "error: --pre-activations: 'relu' is given twice (relu=stem and relu=head)" },
        { ["nets:Net", "--outputs", "relu", "--pre-activations", "relu=conv"], "error: --pre-activations: the network has no module 'conv' (it has: stem, relu, head)" },
        // A value before a ReLU of another shape than its layer's, and the network's own output named as a layer as well.
        { ["nets:Net", "--outputs", "relu", "--pre-activations", "relu=head"], "error: --pre-activations: 'head' gives 2×10 but layer 'relu' 2×8×32×32; the value before a layer's ReLU has the layer's shape" },
        { ["nets:Net", "--outputs", "stem,head"], "error: --outputs: 'head' gives the network's own output, which the archive returns as 'logits' already; leave it out and pass --final-name head, or pass --no-final" },
        // An --out that cannot become the archive is refused before the export runs.
        { ["nets:Net", "--out", "models"], "error: --out: 'models' is a folder; name the archive file to write (for example models/net-atlas.pt)" },
        { ["nets:Net", "--out", "missing/x.pt"], "error: --out: the folder 'missing' does not exist" },
        { ["nets:Net", "--out", "/dev/full"], "error: --out: '/dev/full' exists and is not a regular file" },
        // A forward that fixes the batch size is found by the check on a second input, after tracing: nothing is written.
        { ["nets:Baked"], "error: the network fails on a batch of 3 images, having run on 2 (the atlas runs batches of any size; does its forward fix the batch size?): RuntimeError: shape '[2, 8]' is invalid for input of size 24 (nets.py:28)" },
        { ["nets:Odd", "--outputs", "blocks.my block"], "error: --outputs: 'blocks.my block' cannot be an atlas layer name (ASCII letters, digits, '_', '-' or '.', starting with a letter or digit, at most 100 characters)" },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public async Task Bad_input_is_one_line_naming_it_with_exit_2_and_no_archive(string[] arguments, string expected)
    {
        var folder = TestData.NewTempFolder("export-bad");
        await File.WriteAllTextAsync(Path.Combine(folder, "nets.py"), NetworksSource);
        await File.WriteAllTextAsync(Path.Combine(folder, "broken.py"), "import torch\nraise RuntimeError('boom at import')\n");
        await File.WriteAllTextAsync(Path.Combine(folder, "typo.py"), "def f(:\n");
        Directory.CreateDirectory(Path.Combine(folder, "models"));
        string[] defaults = ["--outputs", "stem", "--input-size", "32", "--out", "x.pt"];
        // An argument given in the case replaces its default (argparse keeps the last).
        var export = await PythonProcess.RunAsync(folder, [Script, .. arguments.Take(1), .. defaults, .. arguments.Skip(1)]);

        Assert.True(export.ExitCode == 2, export.ToString());
        Assert.Equal(expected, export.StdErr.Trim());
        Assert.Equal("", export.StdOut);
        Assert.Empty(Directory.EnumerateFiles(folder, "*.pt*", SearchOption.AllDirectories));
    }

    /// <summary>Checkpoints that are not this network's state dict: another network's, another head size's, one with
    /// keys that are no names, and an exported archive given back as weights.</summary>
    [Theory]
    [InlineData("torch.save(torch.nn.Sequential(torch.nn.Conv2d(3, 4, 1), torch.nn.BatchNorm2d(4)).state_dict(), 'w.pth')",
        "error: --weights: 'w.pth' does not fit the network (4 of the network's 4 keys missing (stem.weight, stem.bias, head.weight, ...); 7 keys the network does not have (0.weight, 0.bias, 1.weight, ...))")]
    [InlineData("torch.save(nets.Net(classes=4).state_dict(), 'w.pth')",
        "error: --weights: 'w.pth' does not fit the network (2 of another shape (head.weight: 4×8 here, 10×8 in the network, head.bias: 4 here, 10 in the network); another class count? pass it to the constructor: --kwargs '{\"classes\": 4}')")]
    [InlineData("torch.save({**nets.Net().state_dict(), 7: torch.zeros(1)}, 'w.pth')",
        "error: --weights: 'w.pth' is no state dict: 1 of its keys is not a parameter name (7)")]
    [InlineData("torch.jit.save(torch.jit.script(nets.Net()), 'w.pth')",
        "error: --weights: 'w.pth' is a TorchScript archive, not a state dict (the atlas reads an archive itself: model.checkpoint with architecture torchscript)")]
    public async Task Weights_of_another_network_are_one_line_saying_what_differs(string save, string expected)
    {
        var folder = TestData.NewTempFolder("export-weights");
        await File.WriteAllTextAsync(Path.Combine(folder, "nets.py"), NetworksSource);
        var saved = await PythonProcess.RunAsync(folder, "-c", $"import torch, nets; {save}");
        Assert.True(saved.ExitCode == 0, saved.ToString());

        var export = await PythonProcess.RunAsync(folder, Script, "nets:Net", "--weights", "w.pth", "--outputs", "stem", "--input-size", "32", "--out", "x.pt");

        Assert.True(export.ExitCode == 2, export.ToString());
        Assert.Equal(expected, export.StdErr.Trim());
        Assert.False(File.Exists(Path.Combine(folder, "x.pt")));
    }

    [Fact]
    public async Task An_export_that_fails_after_tracing_leaves_the_earlier_archive_of_that_name_as_it_was()
    {
        var folder = TestData.NewTempFolder("export-keep");
        await File.WriteAllTextAsync(Path.Combine(folder, "nets.py"), NetworksSource);
        await File.WriteAllTextAsync(Path.Combine(folder, "net-atlas.pt"), "the archive of yesterday");

        var export = await PythonProcess.RunAsync(folder, Script, "nets:Baked", "--outputs", "stem", "--input-size", "32", "--out", "net-atlas.pt");

        Assert.Equal(2, export.ExitCode);
        Assert.DoesNotContain("Traceback", export.StdErr);
        Assert.Equal("the archive of yesterday", await File.ReadAllTextAsync(Path.Combine(folder, "net-atlas.pt")));
        Assert.Equal(["net-atlas.pt"], Directory.EnumerateFiles(folder, "*.pt*").Select(Path.GetFileName));
    }
}
