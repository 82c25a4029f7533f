using Atlas.Abstractions;
using Atlas.Core.Configuration;

namespace Atlas.Grains.Jobs;

/// <summary>What two specs of one job id (one atlas, one checkpoint) have to agree on to be the same work.</summary>
public static class JobSpecs
{
    /// <summary>
    /// Whether they compute the same thing into the same store: the config as <see cref="ConfigDigest"/> sees it
    /// (the store included; not the checkpoint's path, the title or the site folder). A job id names only the atlas and
    /// the checkpoint, so a changed config or another store must not pass for the job that is already there.
    /// </summary>
    public static bool SameWork(AtlasJobSpec a, AtlasJobSpec b) =>
        a.ConfigJson == b.ConfigJson ||
        ConfigDigest.Of(AtlasConfigLoader.Deserialize(a.ConfigJson)) == ConfigDigest.Of(AtlasConfigLoader.Deserialize(b.ConfigJson));
}
