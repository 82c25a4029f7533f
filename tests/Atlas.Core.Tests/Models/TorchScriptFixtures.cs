using Atlas.Core.Configuration;

namespace Atlas.Core.Tests.Models;

/// <summary>The TorchScript archives PyTorch wrote for the tests (tests/fixtures/torchscript/make_fixtures.py) and the config that reads tiny-cnn's.</summary>
internal static class TorchScriptFixtures
{
    public static string Fixture(string name) => Path.Combine(RepositoryPaths.Root, "tests", "fixtures", "torchscript", name);

    /// <summary>tiny-cnn's model section (or that of another archive with its input): 32-px RGB, conv1, conv2 and the logits.</summary>
    public static ModelConfig TinyCnn(string? checkpoint = null, IReadOnlyList<string>? outputs = null) => new()
    {
        Architecture = "torchscript",
        Checkpoint = checkpoint ?? Fixture("tiny-cnn.pt"),
        InputSize = 32,
        Outputs = outputs ?? ["conv1", "conv2", "logits"],
        Mean = [0.5f, 0.4f, 0.3f],
        Std = [0.25f, 0.2f, 0.3f],
    };
}
