using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;

namespace Atlas.Storage;

/// <summary>
/// Turns the one location string a user types (CLI option, config file) into a store:
/// <list type="bullet">
/// <item><c>/some/folder</c>, <c>relative/folder</c> or <c>file:///some/folder</c>: a local folder.</item>
/// <item><c>azure-blob://&lt;container&gt;</c>: a blob container in the account whose connection string is in
/// the environment variable <see cref="DefaultConnectionVariable"/>.</item>
/// <item><c>azure-blob://&lt;container&gt;?connection=&lt;VARIABLE&gt;</c>: the same, reading another variable.</item>
/// </list>
/// The connection string comes from the environment rather than the location so that account keys
/// never appear in command lines, configs or logs.
/// </summary>
public static partial class ArtifactStores
{
    public const string AzureBlobScheme = "azure-blob";
    public const string DefaultConnectionVariable = "ATLAS_STORAGE_CONNECTION";

    private const string Forms = "use a folder path, file:///folder, or azure-blob://<container>[?connection=<ENV_VAR>]";

    [GeneratedRegex("^(?<scheme>[A-Za-z][A-Za-z0-9+.-]+)://(?<rest>.*)$", RegexOptions.Singleline)]
    private static partial Regex SchemeForm();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex VariableName();

    /// <summary>Opens the store a location names; <paramref name="getEnvironmentVariable"/> defaults to the process environment.</summary>
    public static IArtifactStore Open(string location, Func<string, string?>? getEnvironmentVariable = null) =>
        Open(location, getEnvironmentVariable, clientTries: null);

    /// <summary>
    /// Opens the store a location names behind <see cref="ResilientArtifactStore"/>'s retries, which stand in for the blob
    /// client's own: it tries twice per attempt, so the first warning of an outage comes at its start.
    /// </summary>
    public static ResilientArtifactStore OpenResilient(string location, ILogger? logger = null,
        Func<string, string?>? getEnvironmentVariable = null, TimeSpan? patience = null) =>
        new(Open(location, getEnvironmentVariable, ResilientClientTries), patience, logger);

    /// <summary>The blob client's own tries per call under <see cref="ResilientArtifactStore"/>: one retry for a dropped connection.</summary>
    public const int ResilientClientTries = 2;

    private static IArtifactStore Open(string location, Func<string, string?>? getEnvironmentVariable, int? clientTries)
    {
        if (string.IsNullOrWhiteSpace(location)) throw new ArgumentException($"storage location is empty: {Forms}");
        getEnvironmentVariable ??= Environment.GetEnvironmentVariable;

        // A one-letter "scheme" is a Windows drive (C:\x), so the pattern asks for two or more.
        var match = SchemeForm().Match(location);
        if (!match.Success) return new LocalFolderArtifactStore(location);

        var scheme = match.Groups["scheme"].Value.ToLowerInvariant();
        var rest = match.Groups["rest"].Value;
        return scheme switch
        {
            "file" => OpenFileUri(location),
            AzureBlobScheme => OpenAzureBlob(location, rest, getEnvironmentVariable, clientTries),
            _ => throw new ArgumentException($"storage location '{location}' has an unknown scheme '{scheme}://': {Forms}"),
        };
    }

    /// <summary>The absolute folder a location names when it is a local folder store, else null; it opens nothing (no connection string needed).</summary>
    public static string? LocalFolder(string location)
    {
        if (string.IsNullOrWhiteSpace(location)) return null;
        var match = SchemeForm().Match(location);
        if (!match.Success) return new LocalFolderArtifactStore(location).Root;
        return match.Groups["scheme"].Value.Equals("file", StringComparison.OrdinalIgnoreCase) ? OpenFileUri(location).Root : null;
    }

    private static LocalFolderArtifactStore OpenFileUri(string location)
    {
        try
        {
            return new LocalFolderArtifactStore(FileUris.LocalPath(location));
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"storage location {e.Message}: {Forms}", e);
        }
    }

    private static AzureBlobArtifactStore OpenAzureBlob(string location, string rest, Func<string, string?> getEnvironmentVariable, int? clientTries)
    {
        var question = rest.IndexOf('?');
        var container = (question < 0 ? rest : rest[..question]).TrimEnd('/');
        var query = question < 0 ? "" : rest[(question + 1)..];

        if (container.Length == 0)
            throw new ArgumentException($"storage location '{location}' names no container: {Forms}");
        if (container.Contains('/'))
            throw new ArgumentException($"storage location '{location}' has a path after the container; a store is a whole container: {Forms}");
        try
        {
            AzureBlobArtifactStore.ValidateContainerName(container);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"storage location '{location}': {e.Message}", e);
        }

        var variable = DefaultConnectionVariable;
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=');
            var name = eq < 0 ? pair : pair[..eq];
            var value = eq < 0 ? "" : Uri.UnescapeDataString(pair[(eq + 1)..]);
            if (name != "connection")
                throw new ArgumentException($"storage location '{location}' has an unknown option '{name}' (the only option is connection=<ENV_VAR>)");
            if (!VariableName().IsMatch(value))
                throw new ArgumentException($"storage location '{location}': connection= must name an environment variable, not '{value}'");
            variable = value;
        }

        var connectionString = getEnvironmentVariable(variable);
        if (string.IsNullOrWhiteSpace(connectionString))
            throw new ArgumentException($"storage location '{location}' needs a storage connection string in the environment variable {variable}, which is not set");
        try
        {
            return AzureBlobArtifactStore.FromConnectionString(connectionString, container, clientTries);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"storage location '{location}': {e.Message} (read from {variable})", e);
        }
    }
}
