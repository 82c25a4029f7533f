namespace Atlas.Grains.Workers;

/// <summary>What a silo's machine lacks of a list of paths: neither a file nor a folder there.</summary>
internal static class MachinePaths
{
    public static IReadOnlyList<string> Missing(IReadOnlyList<string> paths) => paths.Where(p => !File.Exists(p) && !Directory.Exists(p)).ToList();
}
