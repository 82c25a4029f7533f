namespace Atlas.Core.Configuration;

/// <summary>
/// <c>model.mean</c> and <c>model.std</c>, which any model takes: one finite value per input channel, and a positive std.
/// Each rule reports through the loader's <c>require(ok, field, problem)</c>.
/// </summary>
internal static class NormalizationRules
{
    public static void Check(ModelConfig model, int channels, Action<bool, string, string> require)
    {
        require(model.Mean is null || model.Mean.Length == channels, "model.mean", $"has {model.Mean?.Length} values for {channels} channels");
        require(model.Std is null || model.Std.Length == channels, "model.std", $"has {model.Std?.Length} values for {channels} channels");
        require(model.Std is null || model.Std.All(v => v > 0 && float.IsFinite(v)), "model.std", "values must be positive");
        require(model.Mean is null || model.Mean.All(float.IsFinite), "model.mean", "values must be finite numbers");
    }
}
