using Atlas.Core.Data;
using Atlas.Core.Models;
using static TorchSharp.torch;

namespace Atlas.Core.Tests.Rendering;

public static class TestModels
{
    /// <summary>The demo CNN (1×28×28 grayscale) with seeded random weights.</summary>
    public static DemoCnnModel RandomDemo(int seed = 11)
    {
        TorchRuntime.Initialize();
        random.manual_seed(seed);
        var network = new DemoCnn();
        network.eval();
        foreach (var p in network.parameters()) p.requires_grad = false;
        return new DemoCnnModel(network, FashionMnist.ClassNames);
    }

    public static IAtlasModel Create(string name) => name switch
    {
        "demo" => RandomDemo(),
        "rgb" => new TinyRgbModel(),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };

    /// <summary>The repository root (the folder holding Atlas.sln), found from the test binaries.</summary>
    public static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Atlas.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException($"no Atlas.sln above {AppContext.BaseDirectory}");
    }
}
