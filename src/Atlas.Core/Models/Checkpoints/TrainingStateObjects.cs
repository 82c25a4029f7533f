using System.Collections;
using Razorvine.Pickle;

namespace Atlas.Core.Models.Checkpoints;

/// <summary>
/// Classes that a training checkpoint keeps beside its weights and that are data only: hyper-parameters
/// (argparse's Namespace, Lightning's AttributeDict, OmegaConf's configs), paths, dates, metrics saved as NumPy
/// scalars or arrays, version strings. PyTorch's own <c>weights_only</c> loader refuses most of them, so a Lightning
/// <c>.ckpt</c> could not be read; here each is rebuilt as an inert <see cref="OpaqueObject"/> (no Python runs in
/// .NET, and nothing of it is read), so that the state dict beside it loads. Anything else that a pickle names is
/// still refused by <see cref="PickleSafetyScanner"/>.
/// </summary>
internal static class TrainingStateObjects
{
    public static readonly IReadOnlySet<string> Names = new[]
    {
        "argparse.Namespace",
        "pathlib.Path", "pathlib.PosixPath", "pathlib.WindowsPath", "pathlib.PurePath", "pathlib.PurePosixPath", "pathlib.PureWindowsPath",
        "collections.defaultdict",
        "lightning.fabric.utilities.data.AttributeDict", "lightning_fabric.utilities.data.AttributeDict",
        "pytorch_lightning.utilities.parsing.AttributeDict", "lightning.pytorch.utilities.parsing.AttributeDict",
        "omegaconf.dictconfig.DictConfig", "omegaconf.listconfig.ListConfig", "omegaconf.base.ContainerMetadata", "omegaconf.base.Metadata",
        "omegaconf.nodes.AnyNode", "omegaconf.nodes.StringNode", "omegaconf.nodes.IntegerNode", "omegaconf.nodes.FloatNode",
        "omegaconf.nodes.BooleanNode", "omegaconf.nodes.EnumNode", "omegaconf.nodes.PathNode", "omegaconf.nodes.BytesNode",
        "typing.Any",
        "numpy.dtype", "numpy.ndarray",
        "numpy.core.multiarray.scalar", "numpy.core.multiarray._reconstruct",
        "numpy._core.multiarray.scalar", "numpy._core.multiarray._reconstruct",
        "torch.torch_version.TorchVersion",
        // Dates, as a trainer stamps a checkpoint (the pickle library's own date constructors refuse time zones).
        "datetime.datetime", "datetime.date", "datetime.time", "datetime.timedelta", "datetime.timezone",
    }.Concat(
        // The types themselves, as a defaultdict's factory or OmegaConf's metadata (element and key types) names them,
        // under Python 3's names and the ones protocol 2 writes (int as long, str as unicode).
        from type in new[] { "object", "dict", "list", "tuple", "str", "int", "float", "bool" }
        from module in new[] { "builtins", "__builtin__" }
        select $"{module}.{type}").Concat(["__builtin__.long", "__builtin__.unicode"]).ToHashSet(StringComparer.Ordinal);

    // Razorvine's constructor table is a plain dictionary that every unpickler reads: fill it once, before any loads.
    private static readonly Lazy<bool> Registered = new(() =>
    {
        foreach (var name in Names)
        {
            int dot = name.LastIndexOf('.');
            Unpickler.registerConstructor(name[..dot], name[(dot + 1)..], new OpaqueConstructor(name));
        }
        return true;
    }, LazyThreadSafetyMode.ExecutionAndPublication);

    public static void Register() => _ = Registered.Value;

    private sealed class OpaqueConstructor(string name) : IObjectConstructor
    {
        public object construct(object[] args) => new OpaqueObject(name);
    }
}

/// <summary>
/// A rebuilt object of one of <see cref="TrainingStateObjects.Names"/>: its class name, and whatever entries the
/// pickle set on it (a dict subclass's items, an object's <c>__dict__</c>); arguments and tuple states are dropped.
/// </summary>
public sealed class OpaqueObject(string className) : Hashtable
{
    public string ClassName { get; } = className;

    // The unpickler's BUILD calls the __setstate__ whose parameter type is the state's own type.
    public void __setstate__(Hashtable state)
    {
        foreach (DictionaryEntry entry in state) this[entry.Key] = entry.Value;
    }

    public void __setstate__(object[] state) { }

    public void __setstate__(ArrayList state) { }

    public void __setstate__(string state) { }
}
