using Atlas.Core.Configuration;
using Atlas.Core.Models;
using Microsoft.Extensions.Logging;

namespace Atlas.Core.Tests.Models;

/// <summary>Class names are the data set's folder names: kept only when the model has as many outputs, and said when not.</summary>
public class ClassNameCountTests
{
    private sealed class Warnings : ILogger
    {
        public List<string> Lines { get; } = [];
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel == LogLevel.Warning) Lines.Add(formatter(state, exception));
        }
    }

    [Fact]
    public void A_data_set_with_another_number_of_classes_than_the_model_is_warned_of_and_its_names_are_not_used()
    {
        using var folder = new TempFolder();
        var path = folder.File("seven.pt");
        using (var network = new DemoCnn(classes: 7)) CheckpointLoadingTests.Save(network, "pt", path);
        var config = new ModelConfig { Architecture = "demo-cnn", Checkpoint = path };

        var mismatched = new Warnings();
        using (var model = ModelLoader.Load(config, ["cat", "dog"], mismatched)) Assert.Empty(model.ClassNames);
        Assert.Equal(["The data set has 2 classes, not as many as the model has outputs, so its logit units are labelled by number, not by class name"], mismatched.Lines);

        var matched = new Warnings();
        var seven = Enumerable.Range(0, 7).Select(i => $"class {i}").ToList();
        using (var model = ModelLoader.Load(config, seven, matched)) Assert.Equal(seven, model.ClassNames);
        Assert.Empty(matched.Lines);
    }
}
