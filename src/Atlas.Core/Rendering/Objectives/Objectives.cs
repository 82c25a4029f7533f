namespace Atlas.Core.Rendering;

/// <summary>Lucid-style constructors for the objectives the atlas uses; compose them with +, -, * and unary -.</summary>
public static class Objectives
{
    public static Objective Channel(string layer, int channel) => new ChannelTerm(layer, channel);

    public static Objective Neuron(string layer, int channel, int? y = null, int? x = null) => new NeuronTerm(layer, channel, y, x);

    public static Objective ClassLogit(string logitsLayer, int classIndex, string? className = null) => new ClassLogitTerm(logitsLayer, classIndex, className);

    public static Objective DeepDream(string layer) => new DeepDreamTerm(layer);

    public static Objective Direction(string layer, IReadOnlyList<float> vector, string? name = null) => new DirectionTerm(layer, vector, name);

    /// <summary>Add it with a positive weight (Lucid: <c>channel - 1e2 * diversity</c> → here <c>channel + w * Diversity</c>): its value is already minus the similarity.</summary>
    public static Objective Diversity(string layer) => new DiversityTerm(layer);

    /// <summary>Minus any objective: the picture that drives it lowest.</summary>
    public static Objective Negative(Objective objective) => -objective;
}
