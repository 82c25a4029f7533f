using Atlas.Core.Models;
using Atlas.Core.Models.Branches;
using static TorchSharp.torch;

namespace Atlas.Core.Rendering;

/// <summary>
/// Batched gradient ascent in input space (Lucid's <c>render_vis</c>, many objectives at once). Every
/// batch element is its own picture with its own objective, starting noise and transform sequence;
/// one forward pass per step serves them all and stops at the deepest layer any objective reads.
/// Adam maximises the sum of the per-element objectives, which gives each element the gradient of
/// its own objective (rows only interact through batch-wide terms inside their group).
/// </summary>
public static class FeatureVisRenderer
{
    public static IReadOnlyList<VisImage> Render(IAtlasModel model, IReadOnlyList<VisItem> items, RenderSettings settings,
        IProgress<int>? steps = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (items.Count == 0) return [];
        settings.Validate();
        var plan = settings.BranchRows ? BranchRowPlan.For(model, items) : null;
        if (plan is null) return Render(model, items, settings, plan, steps, cancellationToken);
        // The pictures in the plan's order, handed back in the caller's.
        var rendered = Render(model, plan.Order.Select(i => items[i]).ToList(), settings, plan, steps, cancellationToken);
        var inOrder = new VisImage[items.Count];
        for (int row = 0; row < rendered.Count; row++) inOrder[plan.Order[row]] = rendered[row];
        return inOrder;
    }

    private static IReadOnlyList<VisImage> Render(IAtlasModel model, IReadOnlyList<VisItem> items, RenderSettings settings, BranchRowPlan? plan,
        IProgress<int>? steps, CancellationToken cancellationToken)
    {
        TorchRuntime.Initialize();
        var device = ModelDevice.Of(model);
        int channels = model.Input.Channels;
        int height = settings.ImageSize ?? model.Input.Height, width = settings.ImageSize ?? model.Input.Width;
        var seeds = items.Select(i => i.Seed).ToList();

        using var image = ImageParameterization.Create(settings.Parameterization, seeds, channels, height, width, device);
        using var objective = ObjectiveBatch.Compile(items.Select(i => i.Objective).ToList(), items.Select(i => i.Group).ToList(), device,
            items.Select(i => i.Target).ToList());
        var (preActivation, reading) = Reading(model, objective.Layers, height, width, device, settings);
        using var transforms = new RandomAffine(settings.TransformsFor(Math.Max(height, width)), seeds, height, width);
        transforms.Plan(settings.Steps, device);
        using var optimizer = optim.Adam([image.Parameters], settings.LearningRate);

        for (int step = 0; step < settings.Steps; step++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            var view = transforms.Apply(image.Image());
            var values = Evaluate(model, objective, view, preActivation, reading, settings, plan);
            (-values.sum()).backward();
            optimizer.step();
            steps?.Report(step + 1);
        }

        using var noGrad = no_grad();
        using var finalScope = NewDisposeScope();
        var final = image.Image();
        var reached = Evaluate(model, objective, final, preActivation, reading, settings, plan);
        var objectiveValues = reached.cpu().to(float32).data<float>().ToArray();
        var pixels = Data.HostPixels.ToArray(final);
        int perImage = channels * height * width;
        return items.Select((item, i) => new VisImage(
            pixels.AsSpan(i * perImage, perImage).ToArray(), channels, height, width, objectiveValues[i], Describe(item, reading), item.Seed)).ToList();
    }

    /// <summary>Runs the model up to the deepest layer the objectives read and evaluates them: one value per image.</summary>
    private static Tensor Evaluate(IAtlasModel model, ObjectiveBatch objective, Tensor images, bool preActivation, ActivationReading reading,
        RenderSettings settings, BranchRowPlan? plan)
    {
        IReadOnlyDictionary<string, Tensor> activations;
        try
        {
            activations = plan is null
                ? model.Activations(images, objective.Layers, preActivation)
                : new Dictionary<string, Tensor> { [plan.Layer] = ((IBranchedActivations)model).BranchActivations(images, plan.Layer, plan.Rows, preActivation) };
        }
        catch (Exception e) when (settings.ImageSize is { } size && (size != model.Input.Height || size != model.Input.Width) && e is not AtlasInputException)
        {
            throw new AtlasInputException($"featureVis.imageSize: model '{model.Architecture}' cannot take {size}×{size} images ({TorchErrors.Summary(e)})", e);
        }
        // A reduced-precision network (bfloat16 on a GPU) still gets its objectives summed in float32.
        var exact = activations.ToDictionary(a => a.Key, a => a.Value.dtype == float32 ? a.Value : a.Value.to(float32));
        try
        {
            return objective.Evaluate(exact, reading);
        }
        finally
        {
            foreach (var activation in activations.Values.Concat(exact.Values)) activation.Dispose();
        }
    }

    /// <summary>The objective's description, marked when it read pre-ReLU values.</summary>
    private static string Describe(VisItem item, ActivationReading reading) =>
        item.Target == ActivationTarget.PreRelu && item.Objective.Layers.Any(l => reading.PreActivationLayers.GetValueOrDefault(l) == LayerRelu.Rectified)
            ? $"{item.Objective.Description} (pre-ReLU)"
            : item.Objective.Description;

    /// <summary>
    /// Pre-activations serve both targets when every layer read is rectified or linear (one forward for
    /// the whole batch); otherwise the layers' outputs are read as they are.
    /// </summary>
    private static (bool PreActivation, ActivationReading Reading) Reading(IAtlasModel model, IReadOnlyCollection<string> layers, int height, int width, Device device, RenderSettings settings)
    {
        IReadOnlyDictionary<string, LayerRelu> kinds;
        try
        {
            kinds = ReluProbe.Classify(model, layers, height, width, device);
        }
        catch (Exception e) when (settings.ImageSize is { } size && (size != model.Input.Height || size != model.Input.Width) && e is not AtlasInputException)
        {
            throw new AtlasInputException($"featureVis.imageSize: model '{model.Architecture}' cannot take {size}×{size} images ({TorchErrors.Summary(e)})", e);
        }
        bool pre = kinds.Values.All(k => k is LayerRelu.Rectified or LayerRelu.Linear);
        return pre ? (true, new ActivationReading(kinds, settings.ReluGradientOverride)) : (false, ActivationReading.AsGiven);
    }
}
