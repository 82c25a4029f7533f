using Atlas.Cli.Pipeline;
using Atlas.Site;
using Serilog;
using Serilog.Core;
using Serilog.Events;

namespace Atlas.Cli.Tests;

/// <summary>
/// Where output is not a terminal (CI logs, pipes), a publish reports only the steps that took long: a small site's
/// publish stays quiet, and a whole model's images and uploads do not pass in silence.
/// </summary>
public class PublishProgressTests
{
    private sealed class Lines : ILogEventSink
    {
        public List<string> Messages { get; } = [];
        public void Emit(LogEvent logEvent) { lock (Messages) Messages.Add(logEvent.RenderMessage()); }
    }

    [Fact]
    public async Task Redirected_output_gets_a_line_for_each_long_step_and_none_for_short_ones()
    {
        var lines = new Lines();
        using var logger = new LoggerConfiguration().MinimumLevel.Information().WriteTo.Sink(lines).CreateLogger();
        Assert.False(Spectre.Console.AnsiConsole.Profile.Capabilities.Interactive, "the test host's output is expected to be redirected");

        var result = await PublishProgress.ShowAsync(logger, async counts =>
        {
            counts(new SiteProgress("a/v1: images", 0, 3));
            counts(new SiteProgress("a/v1: pages", 0, 2));
            counts(new SiteProgress("a/v1: pages", 2, 2));
            await Task.Delay(1500);
            counts(new SiteProgress("a/v1: images", 1, 3));
            counts(new SiteProgress("a/v1: images", 3, 3));
            return 42;
        }, longStep: TimeSpan.FromSeconds(1));   // wide of the 0 ms step, so a stalled CI machine does not make it long

        Assert.Equal(42, result);
        var line = Assert.Single(lines.Messages);
        Assert.StartsWith("Publishing \"a/v1: images\": 3 done in ", line);
    }
}
