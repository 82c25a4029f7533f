using System.Security.Cryptography;
using System.Text;
using Atlas.Core.Configuration;

namespace Atlas.Grains.Jobs;

/// <summary>
/// What decides a unit's result besides the weights: the config without the checkpoint, where the site goes, where
/// decoded pixels are kept, the title and the watch section (and with the architecture under the zoo's own name), and how images become pixels
/// (<see cref="Core.Data.ImageConformer.Version"/>). Two versions are reused across only when it agrees
/// (<see cref="Watchers.LayerReuse"/>), a resumed run must have it (<see cref="RunFingerprint"/>), and two submissions of
/// one job id are the same work only with it (<see cref="JobSpecs"/>).
/// </summary>
public static class ConfigDigest
{
    public static string Of(AtlasConfig config)
    {
        var neutral = config with
        {
            Title = null,
            Model = config.Model with { Checkpoint = "", Train = null, Architecture = CanonicalArchitecture(config.Model.Architecture) },
            Dataset = config.Dataset with { PixelCache = null },
            Output = config.Output with { Site = "" },
            Watch = null,
        };
        var text = $"{AtlasConfigLoader.Serialize(neutral)}|pixels {Core.Data.ImageConformer.Version}";
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    /// <summary>
    /// The zoo's own name for an architecture, whatever its spelling or alias ("Demo-CNN", "inceptionv1"): they build the
    /// same network, and a recapitalized config recomputed a whole atlas.
    /// </summary>
    private static string CanonicalArchitecture(string architecture) =>
        Core.Models.ModelZoo.Find(architecture)?.Name
        ?? (Core.Models.TorchScript.TorchScriptInput.Is(architecture) ? Core.Models.TorchScript.TorchScriptInput.ArchitectureName : architecture);
}
