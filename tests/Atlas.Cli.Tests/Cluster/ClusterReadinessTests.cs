using Atlas.Abstractions;
using Atlas.Cli.Pipeline;
using Atlas.Core.Configuration;

namespace Atlas.Cli.Tests.Cluster;

/// <summary>What `atlas submit` says when the cluster's silo cannot see the config's files (the silo's side is in SiloProbeGrainTests).</summary>
public class ClusterReadinessTests
{
    private static AtlasConfig Config(string store) => new()
    {
        Name = "readiness",
        Model = new() { Architecture = "demo-cnn", Checkpoint = "/home/me/model.pt" },
        Dataset = new() { Kind = "image-folder", Path = "/home/me/images" },
        Output = new() { Store = store, Site = "/tmp/site" },
    };

    [Fact]
    public void Workers_read_the_checkpoint_and_the_data_and_write_into_a_folder_store_but_not_into_blob_storage()
    {
        var store = Path.Combine(TestData.NewTempFolder("readiness"), "store");

        var folderStore = ClusterReadiness.FilesWorkersRead(Config(store));
        var blobStore = ClusterReadiness.FilesWorkersRead(Config("azure-blob://artifacts"));

        Assert.Equal([("model.checkpoint", "/home/me/model.pt"), ("dataset.path", "/home/me/images"), ("output.store", store)], folderStore);
        Assert.Equal([("model.checkpoint", "/home/me/model.pt"), ("dataset.path", "/home/me/images")], blobStore);
    }

    [Fact]
    public void A_watcher_is_checked_for_its_source_folder_when_it_exists_here_instead_of_a_checkpoint()
    {
        var source = TestData.NewTempFolder("readiness-source");
        var watching = Config("azure-blob://artifacts") with { Watch = new() { Source = source } };
        var notYet = Config("azure-blob://artifacts") with { Watch = new() { Source = Path.Combine(source, "later") } };
        var inBlobs = Config("azure-blob://artifacts") with { Watch = new() { Source = "azure-blob://checkpoints/run1" } };

        Assert.Equal([("watch.source", source), ("dataset.path", "/home/me/images")], ClusterReadiness.FilesWorkersRead(watching));
        Assert.Equal([("dataset.path", "/home/me/images")], ClusterReadiness.FilesWorkersRead(notYet));
        Assert.Equal([("dataset.path", "/home/me/images")], ClusterReadiness.FilesWorkersRead(inBlobs));
    }

    [Fact]
    public void The_error_names_the_first_missing_field_its_path_the_silo_and_the_other_missing_fields()
    {
        var files = ClusterReadiness.FilesWorkersRead(Config("azure-blob://artifacts"));

        var both = ClusterReadiness.Problem(files, new SiloPathCheck("gpu-node-3", ["/home/me/images", "/home/me/model.pt"]));
        var one = ClusterReadiness.Problem(files, new SiloPathCheck("gpu-node-3", ["/home/me/images"]));
        var none = ClusterReadiness.Problem(files, new SiloPathCheck("gpu-node-3", []));

        Assert.StartsWith("model.checkpoint: '/home/me/model.pt' is not on the cluster's silo gpu-node-3 (and dataset.path);", both);
        Assert.StartsWith("dataset.path: '/home/me/images' is not on the cluster's silo gpu-node-3;", one);
        Assert.EndsWith("nothing was submitted", one);
        Assert.DoesNotContain('\n', one!);
        Assert.Null(none);
    }
}
