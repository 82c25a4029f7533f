namespace Atlas.Cli.Tests;

/// <summary>Bad input: one line naming the file and the problem, exit code 2, no stack trace, nothing published.</summary>
public class BadInputTests
{
    private static async Task AssertRejected(string folder, string config, params string[] expectedFragments)
    {
        var outcome = await CliProcess.RunAsync(TimeSpan.FromMinutes(3), "run", config);
        Assert.True(outcome.ExitCode == 2, outcome.ToString());
        var lines = outcome.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith("error:", StringComparison.Ordinal)).ToList();
        Assert.True(lines.Count == 1, outcome.ToString());
        foreach (var fragment in expectedFragments) Assert.Contains(fragment, lines[0]);
        Assert.DoesNotContain("   at ", outcome.StdErr);
        Assert.False(Directory.Exists(Path.Combine(folder, "site")), "nothing is published");
    }

    [Fact]
    public async Task A_missing_config_file_is_named()
    {
        var folder = TestData.NewTempFolder("bad");
        await AssertRejected(folder, Path.Combine(folder, "nope.json"), "nope.json", "not found");
    }

    [Fact]
    public async Task Malformed_json_names_the_file()
    {
        var folder = TestData.NewTempFolder("bad");
        var config = Path.Combine(folder, "broken.json");
        await File.WriteAllTextAsync(config, "{ \"name\": \"x\", \"model\": ");
        await AssertRejected(folder, config, "broken.json", "invalid config");
    }

    [Fact]
    public async Task An_unknown_field_is_named()
    {
        var folder = TestData.NewTempFolder("bad");
        var config = Path.Combine(folder, "config.json");
        await File.WriteAllTextAsync(config, EndToEndTests.ReducedConfig(folder, folder).Replace("\"maxUnitsPerLayer\"", "\"maxUnitsPerLayr\""));
        await AssertRejected(folder, config, "config.json", "maxUnitsPerLayr");
    }

    [Fact]
    public async Task A_usage_error_is_one_line_and_exit_code_2()
    {
        var folder = TestData.NewTempFolder("bad");
        var outcome = await CliProcess.RunAsync(TimeSpan.FromMinutes(2), "publish", "--store", folder);
        Assert.True(outcome.ExitCode == 2, outcome.ToString());
        var lines = outcome.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, outcome.ToString());
        Assert.Contains("exactly one of --out DIR or --to TARGET", lines[0]);
        Assert.Contains("atlas publish --help", lines[0]);
    }

    [Theory]
    [InlineData("frob", "error: Unrecognized command or argument 'frob'. (see: atlas --help)")]
    [InlineData("bench frob", "error: Unrecognized command or argument 'frob'. (see: atlas bench --help)")]
    // Values of the wrong kind are worded for people, not as .NET type names ("expected type 'System.Int32'").
    [InlineData("bench featurevis --steps abc", "error: option '--steps' takes a whole number, not 'abc' (see: atlas bench featurevis --help)")]
    [InlineData("bench featurevis --steps 99999999999", "error: option '--steps' takes a whole number from -2147483648 to 2147483647, not '99999999999' (see: atlas bench featurevis --help)")]
    [InlineData("watch x.json --tick soon", "error: option '--tick' takes a number, not 'soon' (see: atlas watch --help)")]
    // Without a job, status lists every job once and returns: --watch would follow nothing.
    [InlineData("status --watch", "error: --watch: follows one job; give its JOB id (atlas status JOB --watch) (see: atlas status --help)")]
    [InlineData("run x.json -v loud", "error: --verbosity: 'loud' is not one of quiet, minimal, normal, detailed, diagnostic (see: atlas run --help)")]
    public async Task An_unknown_verb_or_a_value_of_the_wrong_kind_is_named_with_the_help_to_read(string args, string expected)
    {
        var outcome = await CliProcess.RunAsync(TimeSpan.FromMinutes(2), args.Split(' '));
        Assert.True(outcome.ExitCode == 2, outcome.ToString());
        Assert.Equal(expected, outcome.StdErr.Trim());
    }

    /// <summary>A storage connection string whose table and blob endpoints are a loopback port where nothing listens.</summary>
    internal static (Dictionary<string, string> Environment, int Port) StorageNobodyServes()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        int port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return (new Dictionary<string, string>
        {
            ["ATLAS_STORAGE_CONNECTION"] = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;" +
                $"TableEndpoint=http://127.0.0.1:{port}/devstoreaccount1;BlobEndpoint=http://127.0.0.1:{port}/devstoreaccount1;",
        }, port);
    }

    [Fact]
    public async Task A_cluster_whose_storage_does_not_answer_is_one_line_naming_the_storage_without_the_clients_retry_logs()
    {
        var (environment, port) = StorageNobodyServes(); // the Orleans client cannot read the membership table

        var outcome = await CliProcess.RunAsync(TimeSpan.FromMinutes(2), environment, "status");

        Assert.True(outcome.ExitCode == 2, outcome.ToString());
        // Its storage is what does not answer, not a silo: the line says so, as a silo's start does.
        Assert.Equal($"error: ATLAS_STORAGE_CONNECTION: its table storage could not be reached (Connection refused (127.0.0.1:{port}))", outcome.StdErr.Trim());
    }

    [Fact]
    public async Task A_cluster_client_whose_account_key_storage_refuses_is_told_so_rather_than_that_no_silo_runs()
    {
        using var azurite = new Cluster.AzuriteServer();
        await azurite.StartAsync();
        var wrongKey = System.Text.RegularExpressions.Regex.Replace(azurite.ConnectionString, "AccountKey=[^;]+", $"AccountKey={Convert.ToBase64String(new byte[64])}");
        var environment = new Dictionary<string, string> { ["ATLAS_STORAGE_CONNECTION"] = wrongKey };

        var outcome = await CliProcess.RunAsync(TimeSpan.FromMinutes(2), environment, "status");

        Assert.True(outcome.ExitCode == 2, outcome.ToString());
        Assert.Equal("error: ATLAS_STORAGE_CONNECTION: its table storage refused the connection string's credentials (is its AccountKey right?) (status 403 (Forbidden))", outcome.StdErr.Trim());
    }

    [Fact]
    public async Task A_cluster_whose_storage_answers_but_where_no_silo_runs_is_named_within_a_short_wait()
    {
        using var azurite = new Cluster.AzuriteServer();
        await azurite.StartAsync();
        var environment = new Dictionary<string, string> { ["ATLAS_STORAGE_CONNECTION"] = azurite.ConnectionString, ["ATLAS_CLUSTER_ID"] = "nobody-home" };

        // Orleans' own default retried in silence for three minutes; the limit here leaves room for the 20 s wait only.
        var outcome = await CliProcess.RunAsync(TimeSpan.FromSeconds(90), environment, "status");

        Assert.True(outcome.ExitCode == 2, outcome.ToString());
        Assert.Equal(
            "error: cluster 'nobody-home': no silo could be reached (none has joined it within 20 s); is `atlas silo` running with the same ATLAS_CLUSTER_ID and ATLAS_STORAGE_CONNECTION?",
            outcome.StdErr.Trim());
    }

    [Fact]
    public async Task A_store_location_that_cannot_be_opened_is_refused_naming_where_it_came_from()
    {
        var folder = TestData.NewTempFolder("bad");
        var config = Path.Combine(folder, "config.json");
        await File.WriteAllTextAsync(config, EndToEndTests.ReducedConfig(folder, TestData.FashionMnistFolder(), checkpoint: await TrainedCheckpoint.GetAsync()));
        var fromConfig = Path.Combine(folder, "s3-config.json");
        await File.WriteAllTextAsync(fromConfig, (await File.ReadAllTextAsync(config)).Replace("\"store\": \"store\"", "\"store\": \"s3://bucket\""));
        var cases = new (string[] Args, string Expected)[]
        {
            (["run", config, "--store", "azure-blob://Bad_Name"], "error: --store: storage location 'azure-blob://Bad_Name': blob container name 'Bad_Name' is not valid"),
            (["plan", fromConfig], $"error: {fromConfig}: output.store: storage location 's3://bucket' has an unknown scheme 's3://'"),
        };
        foreach (var (args, expected) in cases)
        {
            var outcome = await CliProcess.RunAsync(TimeSpan.FromMinutes(2), args);
            Assert.True(outcome.ExitCode == 2, $"{string.Join(' ', args)}: {outcome}");
            Assert.StartsWith(expected, outcome.StdErr.Trim());
            Assert.DoesNotContain('\n', outcome.StdErr.Trim());
        }
        Assert.False(Directory.Exists(Path.Combine(folder, "site")), "nothing is published");
    }

    [Fact]
    public async Task A_missing_checkpoint_is_named_with_model_train_offered_only_for_the_demo()
    {
        var folder = TestData.NewTempFolder("bad");
        var missing = Path.Combine(folder, "models", "missing.pth");
        var withoutTrain = EndToEndTests.ReducedConfig(folder, TestData.FashionMnistFolder(), checkpoint: missing)
            .Replace("\"train\": { \"epochs\": 1, \"batchSize\": 64, \"maxImages\": 1500, \"seed\": 3 }", "\"inputSize\": 28");
        var demo = Path.Combine(folder, "demo.json");
        await File.WriteAllTextAsync(demo, withoutTrain);
        var zoo = Path.Combine(folder, "zoo.json");
        var zooConfig = withoutTrain.Replace("\"demo-cnn\"", "\"resnet18\"").Replace("\"inputSize\": 28", "\"inputSize\": 32");
        await File.WriteAllTextAsync(zoo, zooConfig);
        var zooRelative = Path.Combine(folder, "zoo-relative.json");
        await File.WriteAllTextAsync(zooRelative, zooConfig.Replace(System.Text.Json.JsonSerializer.Serialize(missing), "\"models/missing.pth\"", StringComparison.Ordinal));

        foreach (var (config, expected) in new[]
        {
            (demo, $"model.checkpoint: '{missing}' not found (and the config has no model.train section to make it)"),
            // model.train makes only the demo: for any other network the hint is where a relative path is read from,
            // given only when the config's path was relative.
            (zoo, $"model.checkpoint: '{missing}' not found"),
            (zooRelative, $"model.checkpoint: '{missing}' not found (a relative path is read from the config file's folder)"),
        })
        {
            var outcome = await CliProcess.RunAsync(TimeSpan.FromMinutes(2), "plan", config);
            Assert.True(outcome.ExitCode == 2, outcome.ToString());
            Assert.Equal($"error: {config}: {expected}", outcome.StdErr.Trim());
        }
    }

    [Fact]
    public async Task An_unreachable_blob_store_is_bad_input_naming_the_store_and_the_cause()
    {
        var folder = TestData.NewTempFolder("bad");
        var config = Path.Combine(folder, "config.json");
        await File.WriteAllTextAsync(config, EndToEndTests.ReducedConfig(folder, TestData.FashionMnistFolder(), checkpoint: await TrainedCheckpoint.GetAsync()));
        var (environment, port) = StorageNobodyServes();

        var outcome = await CliProcess.RunAsync(TimeSpan.FromMinutes(3), environment, "run", config, "--store", "azure-blob://atlas-unreachable");

        Assert.True(outcome.ExitCode == 2, outcome.ToString());
        var error = Assert.Single(outcome.StdErr.Split('\n'), l => l.StartsWith("error:", StringComparison.Ordinal));
        Assert.Equal($"error: --store: blob container atlas-unreachable at http://127.0.0.1:{port}/devstoreaccount1/atlas-unreachable could not be reached (Connection refused (127.0.0.1:{port}))", error.Trim());
        Assert.False(Directory.Exists(Path.Combine(folder, "site")), "nothing is published");
    }

    [Fact]
    public async Task Publishing_from_or_to_unreachable_blob_storage_is_bad_input_naming_the_option_and_the_cause()
    {
        var folder = TestData.NewTempFolder("bad");
        var (environment, port) = StorageNobodyServes();
        var refused = $"(Connection refused (127.0.0.1:{port}))";

        var from = await CliProcess.RunAsync(TimeSpan.FromMinutes(3), environment, "publish", "--store", "azure-blob://atlas-unreachable", "--out", Path.Combine(folder, "site"));
        Assert.True(from.ExitCode == 2, from.ToString());
        Assert.Equal($"error: --store: blob container atlas-unreachable at http://127.0.0.1:{port}/devstoreaccount1/atlas-unreachable could not be reached {refused}", from.StdErr.Trim());

        var store = Directory.CreateDirectory(Path.Combine(folder, "store")).FullName;
        var to = await CliProcess.RunAsync(TimeSpan.FromMinutes(3), environment, "publish", "--store", store, "--to", "azure-blob://site-unreachable");
        Assert.True(to.ExitCode == 2, to.ToString());
        Assert.Equal($"error: --to: azure-blob://site-unreachable: blob container 'site-unreachable' could not be reached {refused}", to.StdErr.Trim());
        Assert.False(Directory.Exists(Path.Combine(folder, "site")), "nothing is published");
    }

    [Fact]
    public async Task Publishing_from_a_store_that_does_not_exist_is_one_line_and_writes_nothing()
    {
        var folder = TestData.NewTempFolder("bad");
        var missing = Path.Combine(folder, "no-such-store");
        var site = Path.Combine(folder, "site");

        var outcome = await CliProcess.RunAsync(TimeSpan.FromMinutes(2), "publish", "--store", missing, "--out", site);

        Assert.True(outcome.ExitCode == 2, outcome.ToString());
        Assert.Equal($"error: --store: folder '{missing}' does not exist", outcome.StdErr.Trim());
        Assert.False(Directory.Exists(site), "no site was written");
    }

    [Fact]
    public async Task An_autotuning_switch_that_is_not_0_or_1_is_named()
    {
        var folder = TestData.NewTempFolder("bad");
        var image = Path.Combine(TestData.RepoRoot, "tests", "fixtures", "pil-resize", "photo.input.jpg");
        var outcome = await CliProcess.RunAsync(TimeSpan.FromMinutes(2), new Dictionary<string, string> { ["ATLAS_CUDNN_BENCHMARK"] = "yes" },
            "activations", "--model", "demo-cnn", "--weights", await TrainedCheckpoint.GetAsync(), "--image", image, "--out", Path.Combine(folder, "out"));
        Assert.True(outcome.ExitCode == 2, outcome.ToString());
        Assert.Equal("error: ATLAS_CUDNN_BENCHMARK: 'yes' is not 1 (autotune cuDNN's convolutions) or 0", outcome.StdErr.Trim());
    }

    [Fact]
    public async Task A_cluster_client_given_a_malformed_connection_string_names_the_variable_and_quotes_none_of_it()
    {
        // Before, the client said no silo could be reached, quoting the parser's message and with it a part of the string.
        var outcome = await CliProcess.RunAsync(TimeSpan.FromMinutes(1), new Dictionary<string, string> { ["ATLAS_STORAGE_CONNECTION"] = "AccountKey=hush;garbage" }, "status");
        Assert.True(outcome.ExitCode == 2, outcome.ToString());
        Assert.Equal("error: ATLAS_STORAGE_CONNECTION: not a storage connection string (expected DefaultEndpointsProtocol=…;AccountName=…;AccountKey=…;…, or UseDevelopmentStorage=true)",
            outcome.StdErr.Trim());
    }

    [Fact]
    public async Task A_silo_whose_storage_is_malformed_or_refuses_connections_stops_at_once_with_one_line()
    {
        var malformed = await CliProcess.RunAsync(TimeSpan.FromMinutes(1), new Dictionary<string, string> { ["ATLAS_STORAGE_CONNECTION"] = "AccountKey=hush;garbage" }, "silo");
        Assert.True(malformed.ExitCode == 2, malformed.ToString());
        Assert.Equal("error: ATLAS_STORAGE_CONNECTION: not a storage connection string (expected DefaultEndpointsProtocol=…;AccountName=…;AccountKey=…;…, or UseDevelopmentStorage=true)",
            malformed.StdErr.Trim());

        // Before, such a silo ran on, logging retries without end.
        var (environment, port) = StorageNobodyServes();
        var refused = await CliProcess.RunAsync(TimeSpan.FromMinutes(1), environment, "silo");
        Assert.True(refused.ExitCode == 2, refused.ToString());
        Assert.Equal($"error: ATLAS_STORAGE_CONNECTION: its table storage could not be reached (Connection refused (127.0.0.1:{port}))", refused.StdErr.Trim());

        // Tables that answer and blobs that do not: before, the silo started and then failed with the SDK's retry summary, exit 1.
        using var azurite = new Cluster.AzuriteServer();
        await azurite.StartAsync();
        var blobsRefused = new Dictionary<string, string>
        {
            ["ATLAS_STORAGE_CONNECTION"] = System.Text.RegularExpressions.Regex.Replace(azurite.ConnectionString, @"BlobEndpoint=[^;]*;", $"BlobEndpoint=http://127.0.0.1:{port}/devstoreaccount1;"),
        };
        var noBlobs = await CliProcess.RunAsync(TimeSpan.FromMinutes(1), blobsRefused, "silo");
        Assert.True(noBlobs.ExitCode == 2, noBlobs.ToString());
        Assert.Equal($"error: ATLAS_STORAGE_CONNECTION: its blob storage (where job state is kept) could not be reached (Connection refused (127.0.0.1:{port}))", noBlobs.StdErr.Trim());
    }

    [Theory]
    [InlineData("x", "--devices: 'x' is not all or a comma-separated list of device indices")]
    [InlineData("0,0", "--devices: device 0 is named twice")]
    public async Task A_bad_device_list_for_a_silo_is_one_line_and_exit_code_2(string devices, string expected)
    {
        var outcome = await CliProcess.RunAsync(TimeSpan.FromMinutes(2), "silo", "--devices", devices);
        Assert.True(outcome.ExitCode == 2, outcome.ToString());
        var lines = outcome.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, outcome.ToString());
        Assert.Contains(expected, lines[0]);
    }

    [Theory]
    [InlineData("featureVis", "precision", "fp8", "bfloat16")]
    [InlineData("model", "memoryFormat", "nhwc", "channelsLast")]
    [InlineData("model", "maxPoolBackward", "fast", "scatter")]
    [InlineData("model", "branchConvolutions", "fused", "merged")]
    [InlineData("model", "inputConvolution", "unfold", "spaceToDepth")]
    [InlineData("examples", "precision", "fp16", "float16")]
    [InlineData("examples", "heatmaps", "some", "all")]
    public async Task An_unknown_choice_is_named_with_the_choices(string section, string field, string bad, string aChoice)
    {
        var folder = TestData.NewTempFolder("bad");
        var config = Path.Combine(folder, "config.json");
        await File.WriteAllTextAsync(config, EndToEndTests.ReducedConfig(folder, folder).Replace($"\"{section}\": {{", $"\"{section}\": {{ \"{field}\": \"{bad}\","));
        await AssertRejected(folder, config, $"{section}.{field}", bad, aChoice);
    }

    [Fact]
    public async Task A_missing_data_folder_is_named()
    {
        var folder = TestData.NewTempFolder("bad");
        var config = Path.Combine(folder, "config.json");
        var data = Path.Combine(folder, "no-such-data");
        await File.WriteAllTextAsync(config, EndToEndTests.ReducedConfig(folder, data).Replace("\"fashion-mnist\", \"path\"", "\"idx\", \"path\""));
        await AssertRejected(folder, config, "dataset.path", "no-such-data");
    }

    [Fact]
    public async Task A_corrupt_checkpoint_is_named()
    {
        var folder = TestData.NewTempFolder("bad");
        var checkpoint = Path.Combine(folder, "corrupt.pt");
        await File.WriteAllBytesAsync(checkpoint, Enumerable.Range(0, 4096).Select(i => (byte)(i * 7)).ToArray());
        var config = Path.Combine(folder, "config.json");
        await File.WriteAllTextAsync(config, EndToEndTests.ReducedConfig(folder, TestData.FashionMnistFolder(), checkpoint: checkpoint));
        await AssertRejected(folder, config, "corrupt.pt");
    }

    [Fact]
    public async Task An_unknown_layer_is_named()
    {
        var folder = TestData.NewTempFolder("bad");
        var config = Path.Combine(folder, "config.json");
        var checkpoint = await TrainedCheckpoint.GetAsync();
        await File.WriteAllTextAsync(config, EndToEndTests.ReducedConfig(folder, TestData.FashionMnistFolder(), layers: "[\"conv1\", \"conv7\"]", checkpoint: checkpoint));
        await AssertRejected(folder, config, "layers", "conv7");
    }

    [Fact]
    public async Task A_picture_size_the_network_cannot_take_names_the_first_layer_it_breaks_before_any_unit_runs()
    {
        var folder = TestData.NewTempFolder("bad");
        var config = Path.Combine(folder, "config.json");
        var checkpoint = await TrainedCheckpoint.GetAsync();
        // The demo's convolutions take any size, its logits layer only 28×28 (a fixed 64×7×7 input).
        await File.WriteAllTextAsync(config, EndToEndTests.ReducedConfig(folder, TestData.FashionMnistFolder(), checkpoint: checkpoint)
            .Replace("\"featureVis\": {", "\"featureVis\": { \"imageSize\": 32,"));
        await AssertRejected(folder, config, "featureVis.imageSize: model 'demo-cnn' cannot take 32×32 inputs up to layer 'logits'", "use 28");
        Assert.False(Directory.Exists(Path.Combine(folder, "store")), "no unit ran");
    }

    [Fact]
    public async Task A_dataset_image_size_the_network_cannot_take_is_named_before_any_unit_runs()
    {
        var folder = TestData.NewTempFolder("bad");
        var config = Path.Combine(folder, "config.json");
        var checkpoint = await TrainedCheckpoint.GetAsync();
        await File.WriteAllTextAsync(config, EndToEndTests.ReducedConfig(folder, TestData.FashionMnistFolder(), layers: "[\"conv1\", \"conv2\"]", checkpoint: checkpoint)
            .Replace("\"limit\": 240", "\"limit\": 240, \"imageSize\": 32"));
        await AssertRejected(folder, config, "dataset.imageSize: model 'demo-cnn' cannot take 32×32 inputs up to layer 'logits (the whole network)'", "use 28");
        Assert.False(Directory.Exists(Path.Combine(folder, "store")), "no unit ran");
    }

    [Fact]
    public async Task A_bad_ATLAS_WORKERS_is_refused_before_a_forced_run_withdraws_the_stored_atlas_and_by_plan()
    {
        var (folder, config, _) = await EndToEndTests.FinishedConv1RunAsync("bad-workers");
        var manifest = Directory.GetFiles(Path.Combine(folder, "store"), "atlas.json", SearchOption.AllDirectories).Single();

        var environment = new Dictionary<string, string> { ["ATLAS_WORKERS"] = "abc" };
        foreach (var args in new[] { new[] { "run", config, "--force" }, ["plan", config] })
        {
            var outcome = await CliProcess.RunAsync(TimeSpan.FromMinutes(2), environment, args);
            Assert.True(outcome.ExitCode == 2, $"{string.Join(' ', args)}: {outcome}");
            Assert.Contains("error: ATLAS_WORKERS: 'abc' is not a whole number from 1 to 256", outcome.StdErr);
            Assert.True(File.Exists(manifest), $"{string.Join(' ', args)} left the stored atlas as it was");
        }
    }

    [Fact]
    public async Task A_checkpoint_cache_that_is_a_file_is_named_before_a_watcher_starts()
    {
        var folder = TestData.NewTempFolder("bad-cache");
        var config = Path.Combine(folder, "config.json");
        Directory.CreateDirectory(Path.Combine(folder, "checkpoints"));
        await File.WriteAllTextAsync(config, EndToEndTests.ReducedConfig(folder, TestData.FashionMnistFolder())
            .Replace("\"output\":", "\"watch\": { \"source\": \"checkpoints\" }, \"output\":"));
        var cache = Path.Combine(folder, "a-file");
        await File.WriteAllTextAsync(cache, "x");

        var outcome = await CliProcess.RunAsync(TimeSpan.FromMinutes(2), new Dictionary<string, string> { ["ATLAS_CHECKPOINT_CACHE"] = cache }, "watch", config, "--once");

        Assert.True(outcome.ExitCode == 2, outcome.ToString());
        Assert.Contains($"error: ATLAS_CHECKPOINT_CACHE: '{cache}' is a file, not a folder", outcome.StdErr);
    }

    [Theory]
    [InlineData("site")]
    [InlineData("store")]
    public async Task An_output_folder_that_is_a_file_is_named_before_any_work(string output)
    {
        var folder = TestData.NewTempFolder("bad");
        var config = Path.Combine(folder, "config.json");
        await File.WriteAllTextAsync(config, EndToEndTests.ReducedConfig(folder, TestData.FashionMnistFolder(), checkpoint: await TrainedCheckpoint.GetAsync()));
        await File.WriteAllTextAsync(Path.Combine(folder, output), "a file where a folder goes");
        await AssertRejected(folder, config, $"output.{output}: '{Path.Combine(folder, output)}' is a file, not a folder");
        if (output == "site") Assert.False(Directory.Exists(Path.Combine(folder, "store")), "no unit ran");

        // The same file given on the command line is named by its option, where the user will look for it.
        var option = output == "site" ? "--out" : "--store";
        var moved = Path.Combine(folder, "given-" + output);
        File.Move(Path.Combine(folder, output), moved);
        var outcome = await CliProcess.RunAsync(TimeSpan.FromMinutes(2), "run", config, option, moved);
        Assert.True(outcome.ExitCode == 2, outcome.ToString());
        Assert.Contains($"error: {option}: '{moved}' is a file, not a folder", outcome.StdErr);
    }

    [Fact]
    public async Task A_data_path_that_is_a_file_or_a_checkpoint_that_is_a_folder_is_named()
    {
        var folder = TestData.NewTempFolder("bad");
        var config = Path.Combine(folder, "config.json");
        var checkpoint = await TrainedCheckpoint.GetAsync();
        await File.WriteAllTextAsync(config, EndToEndTests.ReducedConfig(folder, checkpoint, checkpoint: checkpoint));
        await AssertRejected(folder, config, $"dataset.path: '{checkpoint}' is a file; it names the folder that holds the data set");
        await File.WriteAllTextAsync(config, EndToEndTests.ReducedConfig(folder, TestData.FashionMnistFolder(), checkpoint: folder));
        await AssertRejected(folder, config, $"model.checkpoint: '{folder}' is a folder; it names the weights file");
        var pipe = Path.Combine(folder, "weights.pt");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [pipe])) await mkfifo.WaitForExitAsync();
        await File.WriteAllTextAsync(config, EndToEndTests.ReducedConfig(folder, TestData.FashionMnistFolder(), checkpoint: pipe));
        await AssertRejected(folder, config, $"model.checkpoint: '{pipe}' is empty, or not a regular file (a pipe or device)");
    }

    [Fact]
    public async Task A_store_or_data_set_inside_the_site_folder_or_a_site_inside_them_is_refused_before_any_work()
    {
        var folder = TestData.NewTempFolder("bad");
        var config = Path.Combine(folder, "config.json");
        var site = Path.Combine(folder, "site");
        await File.WriteAllTextAsync(config, EndToEndTests.ReducedConfig(folder, TestData.FashionMnistFolder(), checkpoint: await TrainedCheckpoint.GetAsync()));
        var cases = new (string[] Args, string Expected)[]
        {
            // Each field is named as the user gave it: the config's, or the option that replaced it.
            (["run", config, "--store", Path.Combine(site, "store")],
                $"error: --store: '{Path.Combine(site, "store")}' lies in the site folder '{site}' (output.site), which every publish replaces whole; keep the two apart"),
            (["plan", config, "--out", folder], $"error: {config}: output.store: '{Path.Combine(folder, "store")}' lies in the site folder '{folder}' (--out)"),
            (["run", config, "--out", "/proc/atlas-site"], "error: --out: cannot create files in '/proc' (the file system refused a new file there)"),
            (["run", config, "--store", "/proc/atlas-store"], "error: --store: cannot create files in '/proc' (the file system refused a new file there)"),
            (["run", config, "--out", Path.Combine(TestData.FashionMnistFolder(), "site")],
                $"error: --out: the site folder '{Path.Combine(TestData.FashionMnistFolder(), "site")}' lies in dataset.path '{TestData.FashionMnistFolder()}', which would read the site back as its own; keep the two apart"),
            (["publish", "--store", Path.Combine(site, "store"), "--out", site], $"error: --store: '{Path.Combine(site, "store")}' lies in the site folder '{site}' (--out)"),
            (["publish", "--store", folder, "--to", new Uri(Path.Combine(folder, "site")).AbsoluteUri], $"error: --to: the site folder '{site}' lies in --store '{folder}'"),
        };
        foreach (var (args, expected) in cases)
        {
            var outcome = await CliProcess.RunAsync(TimeSpan.FromMinutes(2), args);
            Assert.True(outcome.ExitCode == 2, $"{string.Join(' ', args)}: {outcome}");
            var error = Assert.Single(outcome.StdErr.Split('\n'), line => line.StartsWith("error:", StringComparison.Ordinal));
            Assert.StartsWith(expected, error);
        }
        Assert.False(Directory.Exists(site), "nothing is published");
    }

    [Fact]
    public async Task The_one_off_verbs_name_an_output_they_cannot_write_before_writing()
    {
        var folder = TestData.NewTempFolder("bad");
        var blocker = Path.Combine(folder, "a-file");
        await File.WriteAllTextAsync(blocker, "x");
        var image = Path.Combine(TestData.RepoRoot, "tests", "fixtures", "pil-resize", "photo.input.jpg");
        var cases = new (string[] Args, string Expected)[]
        {
            (["activations", "--model", "demo-cnn", "--weights", await TrainedCheckpoint.GetAsync(), "--image", image, "--out", blocker], $"error: --out: '{blocker}' is a file, not a folder"),
            (["publish", "--store", folder, "--out", Path.Combine(blocker, "site")], $"error: --out: '{Path.Combine(blocker, "site")}' lies under '{blocker}', which is a file"),
            (["publish", "--store", folder, "--to", "s3://bucket/site"], "error: --to: 's3://bucket/site' is not a folder, file:///folder or azure-blob://<container>"),
            (["activations", "--model", "demo-cnn", "--weights", await TrainedCheckpoint.GetAsync(), "--image", folder, "--out", Path.Combine(folder, "out")], $"error: {folder}: a folder, not an image file"),
            (["activations", "--model", "demo-cnn", "--weights", folder, "--image", image, "--out", Path.Combine(folder, "out")], $"error: {folder}: a folder, not a checkpoint file"),
            (["publish", "--store", blocker, "--out", Path.Combine(folder, "site")], $"error: --store: '{blocker}' is a file, not a store folder"),
            (["publish", "--store", folder, "--out", Path.Combine(folder, "site"), "--title", " "], "error: --title: is blank or holds a control character (a tab, newline, NUL or escape); every page is headed by it"),
            // /proc takes no new files, even from root: as a folder this user may not write to.
            (["publish", "--store", folder, "--out", "/proc/atlas-site"], "error: --out: cannot create files in '/proc' (the file system refused a new file there)"),
            (["publish", "--store", folder, "--to", "file://nas/site"], "error: --to: 'file://nas/site' names the host 'nas'; only this machine's folders can be used (file:///folder or file://localhost/folder)"),
            (["explain", "--model", folder, "--image", image, "--layer", "conv1", "--out", Path.Combine(folder, "out")], $"error: --model: '{folder}' is a folder; give an architecture name (such as resnet18) or an atlas config file"),
        };
        foreach (var (args, expected) in cases)
        {
            var outcome = await CliProcess.RunAsync(TimeSpan.FromMinutes(2), args);
            Assert.True(outcome.ExitCode == 2, outcome.ToString());
            Assert.Equal(expected, Assert.Single(outcome.StdErr.Split('\n'), l => l.StartsWith("error:", StringComparison.Ordinal)).TrimEnd());
        }
        Assert.False(Directory.Exists("s3:"), "a folder named after the URI's scheme was made");
    }

    /// <summary>A store folder whose one manifest key, demo/0123456789ab/atlas.json, holds <paramref name="manifest"/>; and where a site would go.</summary>
    private static async Task<(string Store, string Site)> StoreHoldingAsync(string manifest)
    {
        var store = TestData.NewTempFolder("store");
        Directory.CreateDirectory(Path.Combine(store, "demo", "0123456789ab"));
        await File.WriteAllTextAsync(Path.Combine(store, "demo", "0123456789ab", "atlas.json"), manifest);
        return (store, Path.Combine(TestData.NewTempFolder("site"), "site"));
    }

    [Fact]
    public async Task An_atlas_filter_that_matches_nothing_is_named_even_beside_one_that_matches()
    {
        var (store, site) = await StoreHoldingAsync("{}");

        var outcome = await CliProcess.RunAsync(TimeSpan.FromMinutes(2), "publish", "--store", store, "--out", site, "--atlas", "demo", "--atlas", "demo/ffffffffffff");

        Assert.True(outcome.ExitCode == 2, outcome.ToString());
        Assert.Equal($"error: --atlas: 'demo/ffffffffffff' matches no atlas version in folder {store} (it holds: demo/0123456789ab)", outcome.StdErr.Trim());
        Assert.False(Directory.Exists(site), "a site was published");
    }

    [Fact]
    public async Task A_damaged_manifest_in_the_store_is_bad_input_naming_its_key()
    {
        var (store, site) = await StoreHoldingAsync("{garbage");

        var outcome = await CliProcess.RunAsync(TimeSpan.FromMinutes(2), "publish", "--store", store, "--out", site);

        Assert.True(outcome.ExitCode == 2, outcome.ToString());
        var error = Assert.Single(outcome.StdErr.Split('\n'), l => l.StartsWith("error:", StringComparison.Ordinal));
        Assert.StartsWith($"error: folder {store}: 'demo/0123456789ab/atlas.json' is not a valid AtlasManifest (", error);
        Assert.False(Directory.Exists(site), "a site was published");
    }
}
