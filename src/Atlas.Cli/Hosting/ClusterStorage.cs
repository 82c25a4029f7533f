using Atlas.Storage;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.Serialization;
using Orleans.Storage;

namespace Atlas.Cli.Hosting;

/// <summary>Orleans' Azure Table clustering and Azure Blob grain storage, configured once for silos and clients.</summary>
public static class ClusterStorage
{
    /// <summary>
    /// One container per service id: Orleans' blob names hold the grain's type and key only, so
    /// services sharing a container would share (and overwrite) each other's job state.
    /// </summary>
    public static string GrainStateContainer(ClusterSettings settings)
    {
        var service = new string(settings.ServiceId.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').ToArray()).Trim('-');
        while (service.Contains("--", StringComparison.Ordinal)) service = service.Replace("--", "-", StringComparison.Ordinal);
        var name = $"atlas-state-{service}";
        return name.Length <= 63 ? name.TrimEnd('-') : name[..63].TrimEnd('-');
    }

    public static TableServiceClient Tables(ClusterSettings settings) => new(settings.StorageConnection);

    /// <summary>
    /// Reads one page of the account's tables and one of its blob containers before a silo starts: Orleans would
    /// otherwise fail a malformed connection string with the host's 80-line stack trace, keep a silo whose table
    /// storage refuses connections running, logging thousands of lines of retries, and fail one whose blob storage
    /// (its job state) does not answer with the SDK's retry summary. The value itself is never shown (it holds the
    /// account key).
    /// </summary>
    public static async Task EnsureReachableAsync(ClusterSettings settings, CancellationToken cancellationToken)
    {
        var tables = WellFormedTables(settings);
        try
        {
            await foreach (var _ in tables.QueryAsync(maxPerPage: 1, cancellationToken: cancellationToken).AsPages()) break;
        }
        catch (Exception e) when (e is Azure.RequestFailedException or AggregateException)
        {
            throw new Core.AtlasInputException($"{ClusterSettings.ConnectionVariable}: its table storage {Refusal(e)} ({ErrorCause.Of(e)})", e);
        }
        var blobs = Blobs(settings, maxRetries: 2);
        try
        {
            await foreach (var _ in blobs.GetBlobContainersAsync(cancellationToken: cancellationToken).AsPages(pageSizeHint: 1)) break;
        }
        catch (Exception e) when (e is Azure.RequestFailedException or AggregateException)
        {
            throw new Core.AtlasInputException($"{ClusterSettings.ConnectionVariable}: its blob storage (where job state is kept) {Refusal(e)} ({ErrorCause.Of(e)})", e);
        }
    }

    /// <summary>A service that answered 401 or 403 was reached: it refused the credentials, which is the user's to mend.</summary>
    private static string Refusal(Exception e) =>
        e.GetBaseException() is Azure.RequestFailedException { Status: 401 or 403 } ? "refused the connection string's credentials (is its AccountKey right?)" : "could not be reached";

    /// <summary>
    /// A table client of the connection string, or one line naming the variable when the string is malformed. Clients
    /// check it too: Orleans' client failed with the parser's message, which quotes parts of the string, as if no silo
    /// could be reached.
    /// </summary>
    public static TableServiceClient WellFormedTables(ClusterSettings settings)
    {
        try
        {
            var options = new TableClientOptions();
            options.Retry.MaxRetries = 2;
            return new TableServiceClient(settings.StorageConnection, options);
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or ArgumentException)
        {
            // The parser's message quotes parts of the string; none of it is shown (it may hold the account key).
            throw new Core.AtlasInputException($"{ClusterSettings.ConnectionVariable}: not a storage connection string (expected DefaultEndpointsProtocol=…;AccountName=…;AccountKey=…;…, or UseDevelopmentStorage=true)", e);
        }
    }

    /// <param name="maxRetries">Fewer retries than the SDK's default, for a check that should fail in seconds.</param>
    public static BlobServiceClient Blobs(ClusterSettings settings, int? maxRetries = null)
    {
        // Azurite 3.37 rejects the newest blob API version that the SDK speaks by default.
        var options = new BlobClientOptions(BlobClientOptions.ServiceVersion.V2026_06_06);
        if (maxRetries is { } retries) options.Retry.MaxRetries = retries;
        return new BlobServiceClient(settings.StorageConnection, options);
    }

    public static void AddJobStateStorage(ISiloBuilder silo, ClusterSettings settings) =>
        silo.Services.AddAzureBlobGrainStorage(Grains.AtlasGrainStorage.Name, options => options.Configure<Serializer>((o, serializer) =>
        {
            o.BlobServiceClient = Blobs(settings);
            o.ContainerName = GrainStateContainer(settings);
            // Job state is made of [GenerateSerializer] types: Orleans' own serializer keeps them exact.
            o.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer);
        }));
}
