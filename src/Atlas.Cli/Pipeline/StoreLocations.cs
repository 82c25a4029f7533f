using Atlas.Core;
using Atlas.Storage;

namespace Atlas.Cli.Pipeline;

/// <summary>Checks a store location before it is handed to others (a cluster's silos) who would find it bad only when they write.</summary>
public static class StoreLocations
{
    /// <summary>
    /// Throws an input error naming <paramref name="field"/> when the location is not a store this program can open: an
    /// unknown form, a bad container name, a connection variable that is not set, or a folder that a file is in the way of.
    /// </summary>
    public static void EnsureValid(string location, string field)
    {
        if (OutputPaths.StoreFolder(location, field) is { } folder) OutputPaths.EnsureCanBeFolder(folder, field);
        try
        {
            ArtifactStores.Open(location); // builds a client only; nothing is reached
        }
        catch (ArgumentException e)
        {
            throw new AtlasInputException($"{field}: {e.Message}", e);
        }
    }
}
