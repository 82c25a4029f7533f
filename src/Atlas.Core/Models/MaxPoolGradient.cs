using System.Reflection;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Atlas.Core.Models;

/// <summary>
/// Puts <see cref="ScatterMaxPool2d"/> in the place of every <see cref="MaxPool2d"/> of a network, in a
/// rendering working copy. TorchSharp offers no public way to replace a child: children of a
/// <see cref="Sequential"/> live in its private list (<see cref="SequentialChildren"/>), and other
/// modules (TorchVision's GoogLeNet and ResNet) hold theirs in fields, which their forward passes call.
/// Hooks on layer names are unaffected: no atlas layer is a pool.
/// </summary>
public static class MaxPoolGradient
{
    /// <summary>Reads model.maxPoolBackward: whether pools on <paramref name="device"/> get the scatter backward.</summary>
    public static bool For(string maxPoolBackward, Device device) => maxPoolBackward switch
    {
        "scatter" => true,
        "native" => false,
        // Measured on an H200 only (bench/RESULTS.md); on the CPU libtorch's own backward is kept.
        "auto" => device.type == DeviceType.CUDA,
        var other => throw new AtlasInputException($"model.maxPoolBackward: '{other}' is not auto, native or scatter"),
    };

    /// <summary>Replaces the pools in place; returns how many it replaced.</summary>
    public static int Apply(nn.Module network)
    {
        int replaced = 0;
        foreach (var module in network.named_modules().Select(m => m.module).Prepend(network).ToList())
        {
            if (module is Sequential sequential && SequentialChildren.Of(sequential) is { } children)
            {
                for (int i = 0; i < children.Count; i++)
                {
                    if (children[i] is not MaxPool2d pool) continue;
                    children[i] = new ScatterMaxPool2d(pool);
                    replaced++;
                }
                continue;
            }
            for (var type = module.GetType(); type is not null && type != typeof(nn.Module); type = type.BaseType)
            {
                foreach (var field in type.GetFields(BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.DeclaredOnly))
                {
                    if (field.GetValue(module) is not MaxPool2d pool || !field.FieldType.IsAssignableFrom(typeof(ScatterMaxPool2d))) continue;
                    field.SetValue(module, new ScatterMaxPool2d(pool));
                    replaced++;
                }
            }
        }
        return replaced;
    }
}
