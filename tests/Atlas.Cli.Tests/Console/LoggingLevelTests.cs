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
}
