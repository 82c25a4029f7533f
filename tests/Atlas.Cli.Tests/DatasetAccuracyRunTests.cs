using System.Globalization;

namespace Atlas.Cli.Tests;

/// <summary>
/// A run measures the model's accuracy on its own data set, records it and says it: the one figure that shows a config
/// feeding the model differently from its training (normalization, input size, class order), which exits 0 all the same.
/// </summary>
public class DatasetAccuracyRunTests
{
    [Fact]
    public async Task A_run_logs_the_accuracy_on_the_data_set_and_records_it_in_the_manifest()
    {
        // conv1 alone: the dataset pass must run on to the logits to count.
        var (folder, config, outcome) = await EndToEndTests.FinishedConv1RunAsync("accuracy");

        var accuracy = (await EndToEndTests.ReadManifestAsync(folder)).Accuracy;
        Assert.NotNull(accuracy);
        Assert.Equal(240, accuracy.Images); // dataset.limit
        Assert.True(accuracy.Fraction() > 0.5, $"a trained demo model gets {accuracy.Correct} of 240 right");
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"Accuracy on the data set: {accuracy.Fraction() * 100:0.0} % of 240 images"), outcome.StdErr);
        Assert.DoesNotContain("below twice chance", outcome.StdErr);

        // `bench examples` on the same config counts it too (its figure is then the real pass's), and gets the same.
        var bench = await CliProcess.RunAsync(TimeSpan.FromMinutes(3), "bench", "examples", "--config", config, "--images", "240");
        Assert.True(bench.ExitCode == 0, bench.ToString());
        var said = System.Text.RegularExpressions.Regex.Match(bench.StdErr, @"ACCURACY of demo-cnn \(float32\) on the config's data set: ([\d.]+) ?% of 240 images");
        Assert.True(said.Success, bench.StdErr);
        double exact = accuracy.Fraction()!.Value * 100;
        Assert.InRange(double.Parse(said.Groups[1].Value, CultureInfo.InvariantCulture), exact - 0.051, exact + 0.051); // said to 0.1 %
    }

    [Fact]
    public async Task A_run_whose_normalization_is_not_the_model_s_warns_that_its_accuracy_is_below_twice_chance()
    {
        var folder = TestData.NewTempFolder("accuracy-wrong");
        var config = Path.Combine(folder, "config.json");
        await File.WriteAllTextAsync(config, EndToEndTests.ReducedConfig(folder, TestData.FashionMnistFolder(), layers: "[\"conv1\"]",
                checkpoint: await TrainedCheckpoint.GetAsync())
            .Replace("\"architecture\": \"demo-cnn\",", "\"architecture\": \"demo-cnn\", \"mean\": [5.0], \"std\": [0.01],"));

        var outcome = await CliProcess.RunAsync(TimeSpan.FromMinutes(3), "run", config);

        Assert.True(outcome.ExitCode == 0, outcome.ToString()); // still an atlas: the figure is the warning, not a failure
        Assert.Contains("WRN] Accuracy on the data set (", outcome.StdErr);
        Assert.Contains("below twice chance (20.0 % for 10 classes)", outcome.StdErr);
        Assert.Contains("model.mean/model.std (left out, they are the architecture's: ImageNet's for the TorchVision networks, Fashion-MNIST's for the demo CNN", outcome.StdErr);
        Assert.True((await EndToEndTests.ReadManifestAsync(folder)).Accuracy!.Fraction() < 0.2);
    }

    [Fact]
    public async Task A_version_whose_dataset_pass_was_copied_from_one_with_another_head_does_not_claim_its_accuracy()
    {
        var folder = TestData.NewTempFolder("accuracy-copied");
        var (first, second) = await TrainedCheckpoint.WithFineTunedHeadAsync(folder);
        var config = Path.Combine(folder, "config.json");
        // conv2 alone, identical in both: the second version copies every unit, dataset shards included.
        await File.WriteAllTextAsync(config, EndToEndTests.ReducedConfig(folder, TestData.FashionMnistFolder(), layers: "[\"conv2\"]", checkpoint: first));
        var made = await CliProcess.RunAsync(TimeSpan.FromMinutes(3), "run", config);
        Assert.True(made.ExitCode == 0, made.ToString());
        await File.WriteAllTextAsync(config, EndToEndTests.ReducedConfig(folder, TestData.FashionMnistFolder(), layers: "[\"conv2\"]", checkpoint: second));

        var next = await CliProcess.RunAsync(TimeSpan.FromMinutes(3), "run", config);

        Assert.True(next.ExitCode == 0, next.ToString());
        Assert.Matches(@"Version \w+ reuses layers conv2 of version \w+", next.StdErr);
        var accuracies = await AccuraciesAsync(folder);
        Assert.Equal(2, accuracies.Count);
        var copied = Assert.Single(accuracies, a => a.Images == 0);
        Assert.StartsWith("the dataset pass was copied from version ", copied.NotMeasured);
        Assert.Single(accuracies, a => a.Images == 240);
    }

    private static async Task<List<Atlas.Storage.Manifests.DatasetAccuracy>> AccuraciesAsync(string folder)
    {
        var store = new Atlas.Storage.LocalFolderArtifactStore(Path.Combine(folder, "store"));
        var found = new List<Atlas.Storage.Manifests.DatasetAccuracy>();
        await foreach (var key in store.ListAsync(""))
        {
            if (!Atlas.Storage.Manifests.AtlasKeys.IsManifestKey(key)) continue;
            var manifest = await Atlas.Storage.ArtifactStoreJson.GetJsonAsync<Atlas.Storage.Manifests.AtlasManifest>(store, key);
            found.Add(manifest!.Accuracy!);
        }
        return found;
    }
}
