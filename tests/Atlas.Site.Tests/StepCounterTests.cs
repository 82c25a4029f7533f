namespace Atlas.Site.Tests;

/// <summary>Counts advanced from several threads at once (images copied, files uploaded in parallel) reach the bar in order.</summary>
public class StepCounterTests
{
    [Fact]
    public void Counts_told_from_several_threads_never_go_back_and_end_at_the_total()
    {
        // Each round four threads count ten items each. When counts were told in whatever order the threads got there,
        // a sixth to two thirds of the rounds went back (or ended short of the total): 500 rounds fail surely if that returns.
        int wrong = 0, rounds = 500;
        for (int round = 0; round < rounds; round++)
        {
            var told = new List<long>();
            var counter = new StepCounter(p => { lock (told) told.Add(p.Done); }, "step", 40);
            using var start = new Barrier(4);
            var threads = Enumerable.Range(0, 4).Select(_ => new Thread(() => { start.SignalAndWait(); for (int i = 0; i < 10; i++) counter.Advance(); })).ToList();
            threads.ForEach(t => t.Start());
            threads.ForEach(t => t.Join());
            if (told[0] != 0 || told.Zip(told.Skip(1)).Any(p => p.First >= p.Second) || told[^1] != 40) wrong++;
        }
        Assert.True(wrong == 0, $"{wrong} of {rounds} rounds told a count out of order or ended short of the total");
    }
}
