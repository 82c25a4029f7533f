using System.Text.RegularExpressions;
using Atlas.Storage;
using Azure.Storage.Blobs;

namespace Atlas.Site.Publishing;

/// <summary>
/// Where a site is published in Azure Blob storage: <c>azure-blob://$web</c> (the static-website
/// container) or any container, with the connection string read from an environment variable —
/// <see cref="ArtifactStores.DefaultConnectionVariable"/> unless <c>?connection=NAME</c> says another —
/// so account keys never appear on a command line or in a log.
/// </summary>
public sealed partial record BlobSiteTarget(string Container, string ConnectionVariable)
{
    public const string StaticWebsiteContainer = "$web";
    private const string Form = "use azure-blob://$web or azure-blob://<container>, optionally with ?connection=<ENV_VAR>";

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex VariableName();

    public static bool IsBlobLocation(string location) =>
        location.StartsWith(ArtifactStores.AzureBlobScheme + "://", StringComparison.OrdinalIgnoreCase);

    /// <summary>Parses a target; throws <see cref="ArgumentException"/> naming the problem.</summary>
    public static BlobSiteTarget Parse(string location)
    {
        if (!IsBlobLocation(location)) throw new ArgumentException($"site target '{location}' is not a blob location: {Form}");
        var rest = location[(ArtifactStores.AzureBlobScheme.Length + 3)..];
        var question = rest.IndexOf('?');
        var container = (question < 0 ? rest : rest[..question]).TrimEnd('/');
        var query = question < 0 ? "" : rest[(question + 1)..];
        if (container.Length == 0) throw new ArgumentException($"site target '{location}' names no container: {Form}");
        if (container.Contains('/')) throw new ArgumentException($"site target '{location}' has a path after the container; a site fills a whole container: {Form}");
        if (container != StaticWebsiteContainer)
        {
            try { AzureBlobArtifactStore.ValidateContainerName(container); }
            catch (ArgumentException e) { throw new ArgumentException($"site target '{location}': {e.Message}", e); }
        }

        var variable = ArtifactStores.DefaultConnectionVariable;
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=');
            var name = eq < 0 ? pair : pair[..eq];
            var value = eq < 0 ? "" : Uri.UnescapeDataString(pair[(eq + 1)..]);
            if (name != "connection") throw new ArgumentException($"site target '{location}' has an unknown option '{name}' (the only option is connection=<ENV_VAR>)");
            if (!VariableName().IsMatch(value)) throw new ArgumentException($"site target '{location}': connection= must name an environment variable, not '{value}'");
            variable = value;
        }
        return new BlobSiteTarget(container, variable);
    }

    /// <summary>The container client, from the connection string in <see cref="ConnectionVariable"/>.</summary>
    public BlobContainerClient Connect(Func<string, string?>? getEnvironmentVariable = null)
    {
        var connection = (getEnvironmentVariable ?? Environment.GetEnvironmentVariable)(ConnectionVariable);
        if (string.IsNullOrWhiteSpace(connection))
            throw new ArgumentException($"publishing to blob container '{Container}' needs a storage connection string in the environment variable {ConnectionVariable}, which is not set");
        try
        {
            return new BlobServiceClient(connection, AzureBlobArtifactStore.CreateClientOptions()).GetBlobContainerClient(Container);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or InvalidOperationException)
        {
            // Never echo the connection string: it carries the account key.
            throw new ArgumentException($"the storage connection string in {ConnectionVariable} is not valid ({e.GetType().Name})", e);
        }
    }
}
