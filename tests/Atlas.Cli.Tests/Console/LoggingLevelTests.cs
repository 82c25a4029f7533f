using Atlas.Cli.Console;
using Serilog.Core;
using Serilog.Events;

namespace Atlas.Cli.Tests.Console;

/// <summary>Which categories' lines each --verbosity keeps: the program's own at the level asked, the framework's (Orleans, the host, Polly) only their errors until detailed.</summary>
public class LoggingLevelTests
{
    [Theory]
    [InlineData("Atlas", LogEventLevel.Information, LogEventLevel.Information, true)]
    [InlineData("Orleans.Runtime.Catalog", LogEventLevel.Information, LogEventLevel.Warning, false)]
    [InlineData("Polly", LogEventLevel.Information, LogEventLevel.Warning, false)] // a retry per call to a silo that died
    [InlineData("Polly", LogEventLevel.Information, LogEventLevel.Error, true)]
    [InlineData("Polly", LogEventLevel.Debug, LogEventLevel.Warning, true)] // --verbosity detailed
    [InlineData("Microsoft.Hosting.Lifetime", LogEventLevel.Information, LogEventLevel.Information, false)]
    public void Framework_categories_keep_only_their_errors_below_detailed(string category, LogEventLevel verbosity, LogEventLevel line, bool kept)
    {
        var logger = Logging.Create(verbosity);
        Assert.Equal(kept, logger.ForContext(Constants.SourceContextPropertyName, category).IsEnabled(line));
    }

    [Theory]
    [InlineData(LogEventLevel.Information, false)]
    [InlineData(LogEventLevel.Debug, true)]   // --verbosity detailed
    public void An_exception_is_one_line_at_the_normal_level_and_whole_with_its_stack_from_detailed(LogEventLevel verbosity, bool stack)
    {
        Exception thrown;
        try
        {
            throw new InvalidOperationException("the peer silo is dead\nsecond line of the message");
        }
        catch (InvalidOperationException e)
        {
            thrown = e;
        }
        var error = System.Console.Error;
        var captured = new StringWriter();
        System.Console.SetError(captured);
        try
        {
            using var logger = (Serilog.Core.Logger)Logging.Create(verbosity);
            logger.Error(thrown, "Lost the connection to {Silo}", "S1");
        }
        finally
        {
            System.Console.SetError(error);
        }

        var lines = captured.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.EndsWith(stack ? "Lost the connection to S1" : "Lost the connection to S1 (InvalidOperationException: the peer silo is dead)", lines[0].TrimEnd());
        Assert.Equal(stack, lines.Any(l => l.TrimStart().StartsWith("at ", StringComparison.Ordinal)));
        if (!stack) Assert.Single(lines);
    }
}
