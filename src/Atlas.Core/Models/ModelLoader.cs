using System.Security.Cryptography;

namespace Atlas.Core.Models;

/// <summary>Builds a model by architecture name and loads its weights, turning every failure into one clear line.</summary>
public static class ModelLoader
{
    public static readonly IReadOnlyList<string> Architectures = [DemoCnn.ArchitectureName];

    public static IAtlasModel Load(string architecture, string checkpointPath, IReadOnlyList<string> classNames)
    {
        TorchRuntime.Initialize();
        if (!File.Exists(checkpointPath))
            throw new AtlasInputException($"{checkpointPath}: checkpoint file not found");
        switch (architecture)
        {
            case DemoCnn.ArchitectureName:
                var network = new DemoCnn(classes: Math.Max(classNames.Count, 10));
                try
                {
                    network.load(checkpointPath);
                }
                catch (Exception e)
                {
                    network.Dispose();
                    throw new AtlasInputException($"{checkpointPath}: not a readable {architecture} checkpoint ({e.GetBaseException().Message.Split('\n')[0]})", e);
                }
                network.eval();
                foreach (var parameter in network.parameters()) parameter.requires_grad = false;
                return new DemoCnnModel(network, classNames);
            default:
                throw new AtlasInputException($"model.architecture: unknown architecture '{architecture}' (known: {string.Join(", ", Architectures)})");
        }
    }

    /// <summary>Content hash of a checkpoint: the identity of an atlas version.</summary>
    public static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
