using Atlas.Storage;
using Atlas.Storage.Manifests;

namespace Atlas.Grains.Watchers;

/// <summary>
/// Keys of what watching and comparing add to a version. All live under {atlas}/{version}/, so
/// retention deletes them with the version and a version stays self-contained.
/// </summary>
public sealed record WatchKeys(string Atlas, string Version)
{
    private AtlasKeys Atlas_ => new(Atlas, Version);
    public string Root => Atlas_.Root;

    /// <summary>The checkpoint itself, so any worker can fetch exactly the bytes the version was made from.</summary>
    public string Checkpoint(string fileName) => $"{Root}/checkpoint/{ArtifactKey.Segment(fileName)}";
    /// <summary>The trainer's side file ({checkpoint}.json) when the source had one.</summary>
    public string CheckpointSideFile(string fileName) => $"{Root}/checkpoint/{ArtifactKey.Segment(fileName + ".json")}";
    /// <summary>Per-layer weight fingerprints and the config digest, for the next version's reuse check.</summary>
    public string Fingerprints => $"{Root}/work/fingerprints.json";
    /// <summary>Which layers this version takes from which earlier version instead of computing them.</summary>
    public string ReusePlan => $"{Root}/work/reuse.json";
    /// <summary>Which probe set the probe matrices were computed on.</summary>
    public string ProbeInfo => $"{Root}/work/probe.json";
    public string ProbeMatrix(string layer) => $"{Root}/work/probe/{ArtifactKey.Segment(layer)}.bin";

    /// <summary>
    /// Left where a version was when retention deleted it (keepVersions), so a watcher that lists the same
    /// checkpoint again (an `atlas watch --once` run keeps no state between runs) does not compute it anew.
    /// </summary>
    public string Retired => Atlas_.Retired;

    public static string AtlasPrefix(string atlas) => ArtifactKey.Segment(atlas) + "/";
}

/// <summary>What the preparation step records for later versions to compare against.</summary>
public sealed record FingerprintsWork(string ConfigDigest, IReadOnlyDictionary<string, string> Layers);

/// <summary>Layers of this version that are copies of <paramref name="FromVersion"/>'s (identical weights up to them, same config).</summary>
public sealed record ReusePlanWork(string FromVersion, IReadOnlyList<string> Layers);

/// <summary>The probe set of a version: the first <paramref name="Images"/> images of the named data set.</summary>
public sealed record ProbeInfoWork(string Dataset, string Split, int DatasetCount, int Images, IReadOnlyDictionary<string, int> Units);

/// <summary>When retention deleted a version, and how many versions it kept then.</summary>
public sealed record RetiredWork(DateTimeOffset RetiredAt, int KeptVersions);
