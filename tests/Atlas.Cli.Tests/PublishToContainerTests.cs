using Atlas.Cli.Tests.Cluster;

namespace Atlas.Cli.Tests;

/// <summary>`atlas publish --to azure-blob://…` against a real Azurite: what it tells the user about reading the site.</summary>
public sealed class PublishToContainerTests
{
    [Fact]
    public async Task Publishing_to_a_private_container_says_readers_cannot_open_it_there_and_how_to_change_that()
    {
        using var azurite = new AzuriteServer();
        await azurite.StartAsync();
        var store = TestData.NewTempFolder("publish-to");
        var environment = new Dictionary<string, string> { ["ATLAS_STORAGE_CONNECTION"] = azurite.ConnectionString };

        var outcome = await CliProcess.RunAsync(TimeSpan.FromMinutes(3), environment, "publish", "--store", store, "--to", "azure-blob://atlas-private-site");

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        var lines = outcome.StdOut.Split('\n').Select(l => l.Trim()).ToList();
        Assert.Contains(lines, l => l.StartsWith("Published 0 atlas version(s)", StringComparison.Ordinal) && l.EndsWith("/atlas-private-site/index.html", StringComparison.Ordinal));
        Assert.Contains(
            "container 'atlas-private-site' is private, so readers get an error (403 or 404), not the site, at that address: allow anonymous reads of its blobs " +
            "(az storage container set-permission --name atlas-private-site --public-access blob), or publish to azure-blob://$web and enable the account's static website",
            lines);
    }
}
