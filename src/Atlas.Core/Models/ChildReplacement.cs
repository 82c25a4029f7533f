using System.Reflection;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Atlas.Core.Models;

/// <summary>
/// Replaces child modules of a working copy in place, for the rewrites that put a faster module where a
/// library one was (<see cref="MaxPoolGradient"/>, <see cref="InceptionMerging"/>, <see cref="InputConvolution"/>).
/// TorchSharp offers no public way to do it. Children of a <see cref="Sequential"/> live in its private list
/// (<see cref="SequentialChildren"/>), which also names them; other modules (TorchVision's GoogLeNet and
/// ResNet) hold theirs in fields that their forward passes call, and register them under the field's name,
/// so for those the field is set and the registration renewed: hooks found by name then reach the new module.
/// </summary>
internal static class ChildReplacement
{
    /// <summary>The fields a module type declares itself, private ones included: where TorchVision keeps children.</summary>
    public const BindingFlags Fields = BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.DeclaredOnly;

    /// <summary>
    /// Offers every child of type <typeparamref name="T"/> anywhere in <paramref name="network"/> to
    /// <paramref name="replacement"/>, and puts what it returns in the child's place (null keeps the child).
    /// Returns how many were replaced.
    /// </summary>
    public static int ReplaceAll<T>(nn.Module network, Func<T, nn.Module<Tensor, Tensor>?> replacement) where T : nn.Module
    {
        int replaced = 0;
        foreach (var module in network.named_modules().Select(m => m.module).Prepend(network).ToList())
        {
            if (module is Sequential sequential)
            {
                if (SequentialChildren.Of(sequential) is not { } children) continue;
                for (int i = 0; i < children.Count; i++)
                {
                    if (children[i] is not T child || replacement(child) is not { } made) continue;
                    children[i] = made;
                    replaced++;
                }
                continue;
            }
            for (var type = module.GetType(); type is not null && type != typeof(nn.Module); type = type.BaseType)
            {
                foreach (var field in type.GetFields(Fields))
                {
                    if (field.GetValue(module) is not T child || !field.FieldType.IsAssignableFrom(typeof(nn.Module<Tensor, Tensor>))) continue;
                    if (replacement(child) is not { } made) continue;
                    Put(module, field, child, made);
                    replaced++;
                }
            }
        }
        return replaced;
    }

    /// <summary>
    /// Puts <paramref name="made"/> in the place of the child that <paramref name="module"/> keeps in its field
    /// <paramref name="name"/>: how the modules that name their <see cref="IConvNormPairs"/> keep them.
    /// </summary>
    public static void ReplaceField(nn.Module module, string name, nn.Module<Tensor, Tensor> made)
    {
        for (var type = module.GetType(); type is not null && type != typeof(nn.Module); type = type.BaseType)
        {
            if (type.GetField(name, Fields) is not { } field || field.GetValue(module) is not nn.Module child) continue;
            Put(module, field, child, made);
            return;
        }
        throw new ArgumentException($"{module.GetType().Name} keeps no child in a field '{name}'");
    }

    private static void Put(nn.Module module, FieldInfo field, nn.Module child, nn.Module<Tensor, Tensor> made)
    {
        field.SetValue(module, made);
        if (module.named_children().Any(c => c.name == field.Name && ReferenceEquals(c.module, child)))
        {
            module.register_module(field.Name, null!);
            module.register_module(field.Name, made);
        }
    }
}
