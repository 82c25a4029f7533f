using Atlas.Grains.Workers;
using Orleans.Runtime;

namespace Atlas.Grains.Tests;

/// <summary>Questions put to each silo of the two-silo test cluster on its own, through Orleans' placement hint.</summary>
[Collection(ClusterCollection.Name)]
public class SiloQuestionsTests(ClusterFixture fixture)
{
    [Fact]
    public async Task Each_silo_answers_for_itself_in_the_order_asked()
    {
        var silos = fixture.Cluster.Silos.Select(s => s.SiloAddress).Reverse().ToList();
        var folder = Directory.CreateTempSubdirectory("silo-questions-").FullName;
        var absent = Path.Combine(folder, "no-such-images");

        // Twice over, so that neither silo answers only because it happened to be picked.
        List<SiloAddress> asked = [.. silos, .. silos];
        var answers = await SiloQuestions.CheckPathsOnEachAsync(fixture.Cluster.Client, asked, [folder, absent]);

        Assert.Equal(asked.Select(s => s.ToParsableString()), answers.Select(a => a!.Silo));
        Assert.All(answers, a => Assert.Equal([absent], a!.Missing));
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task A_silo_that_is_not_in_the_cluster_gives_no_answer_rather_than_another_silos()
    {
        var gone = SiloAddress.New(System.Net.IPAddress.Loopback, 1, 12345);

        var answers = await SiloQuestions.CheckPathsOnEachAsync(fixture.Cluster.Client, [gone, fixture.Cluster.Primary!.SiloAddress], ["/"]);

        Assert.Null(answers[0]);
        Assert.Equal(fixture.Cluster.Primary!.SiloAddress.ToParsableString(), answers[1]!.Silo);
    }
}
