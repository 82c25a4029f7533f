using System.IO.Compression;
using Razorvine.Pickle;
using Razorvine.Pickle.Objects;
using static TorchSharp.torch;

namespace Atlas.Core.Models.Checkpoints;

/// <summary>
/// Unpickles a zip checkpoint's data.pkl into tensors as torch.load does. A storage is read whole, once, and
/// each tensor is its view (offset, shape and strides) copied out. TorchSharp.PyBridge's own reader instead
/// allocates each tensor at its own size and reads the storage's bytes into it, which refuses what PyTorch
/// writes for perfectly ordinary state dicts: a channels-last or transposed weight ("non-contiguous"), and a
/// view into a larger storage at an offset (parameters sliced out of one buffer). A dict of nn.Parameters
/// (as `dict(model.named_parameters())` makes) is read as its tensors. PyBridge's container handling
/// (OrderedDict) is kept.
/// </summary>
internal static class StateDictUnpickler
{
    private static readonly object Registration = new();

    public static object Unpickle(ZipArchive archive, ZipArchiveEntry pickle)
    {
        lock (Registration)
        {
            // PyBridge registers its constructors (OrderedDict, and its own tensor ones) when first touched;
            // this makes that happen now, then puts these in place of its tensor ones.
            System.Runtime.CompilerServices.RuntimeHelpers.RunClassConstructor(typeof(TorchSharp.PyBridge.PyTorchUnpickler).TypeHandle);
            Unpickler.registerConstructor("torch._utils", "_rebuild_tensor", new RebuildTensor());
            Unpickler.registerConstructor("torch._utils", "_rebuild_tensor_v2", new RebuildTensor());
            Unpickler.registerConstructor("torch._utils", "_rebuild_parameter", new RebuildParameter());
            Unpickler.registerConstructor("torch._utils", "_rebuild_parameter_with_state", new RebuildParameter());
        }
        using var input = pickle.Open();
        return new ArchiveUnpickler(archive).load(input);
    }

    /// <summary>Resolves torch.save's persistent ids ("storage", type, key, location, numel) to whole storages, each read once.</summary>
    private sealed class ArchiveUnpickler(ZipArchive archive) : Unpickler
    {
        private readonly Dictionary<string, Tensor> storages = new(StringComparer.Ordinal);
        private Dictionary<string, ZipArchiveEntry>? entriesByKey;

        protected override object persistentLoad(object pid)
        {
            var id = (object[])pid;
            if (id.Length < 5 || id[0] as string != "storage") throw new InvalidDataException("a persistent id that is not a tensor storage");
            var type = ((ClassDictConstructor)id[1]).name;
            var key = (string)id[2];
            if (storages.TryGetValue(key, out var known)) return known;
            long elements = Convert.ToInt64(id[4], System.Globalization.CultureInfo.InvariantCulture);
            entriesByKey ??= archive.Entries
                .Where(e => e.FullName.Contains("/data/", StringComparison.Ordinal))
                .GroupBy(e => e.FullName[(e.FullName.LastIndexOf("/data/", StringComparison.Ordinal) + 6)..])
                .ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
            if (!entriesByKey.TryGetValue(key, out var entry)) throw new InvalidDataException($"storage {key} is missing from the archive");
            var storage = empty(elements, DtypeOf(type), device: CPU);
            long bytes = elements * storage.ElementSize;
            if (entry.Length < bytes) throw new InvalidDataException($"storage {key} holds {entry.Length} bytes where {elements} elements of {type} need {bytes}");
            using (var data = entry.Open()) storage.ReadBytesFromStream(data);
            storages[key] = storage;
            return storage;
        }

        private static ScalarType DtypeOf(string storageType) => storageType switch
        {
            "DoubleStorage" => ScalarType.Float64,
            "FloatStorage" => ScalarType.Float32,
            "HalfStorage" => ScalarType.Float16,
            "BFloat16Storage" => ScalarType.BFloat16,
            "LongStorage" => ScalarType.Int64,
            "IntStorage" => ScalarType.Int32,
            "ShortStorage" => ScalarType.Int16,
            "CharStorage" => ScalarType.Int8,
            "ByteStorage" => ScalarType.Byte,
            "BoolStorage" => ScalarType.Bool,
            _ => throw new NotSupportedException($"tensors stored as {storageType} are not read"),
        };
    }

    /// <summary>_rebuild_tensor(_v2)(storage, storage_offset, size, stride, …): the view, copied into a tensor of its own.</summary>
    private sealed class RebuildTensor : IObjectConstructor
    {
        public object construct(object[] args)
        {
            var storage = (Tensor)args[0];
            long offset = Convert.ToInt64(args[1], System.Globalization.CultureInfo.InvariantCulture);
            var shape = Longs(args[2]);
            var strides = Longs(args[3]);
            long last = offset + shape.Zip(strides, (size, stride) => size == 0 ? 0 : (size - 1) * stride).Sum();
            if (offset < 0 || (shape.All(s => s > 0) && last >= storage.NumberOfElements))
                throw new InvalidDataException($"a tensor of shape [{string.Join(", ", shape)}] at offset {offset} lies outside its storage of {storage.NumberOfElements} elements");
            using var view = storage.as_strided(shape, strides, offset);
            return view.contiguous().clone();
        }

        private static long[] Longs(object value) =>
            ((object[])value).Select(v => Convert.ToInt64(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
    }

    /// <summary>_rebuild_parameter(data, requires_grad, backward_hooks[, state]): an nn.Parameter is its data here.</summary>
    private sealed class RebuildParameter : IObjectConstructor
    {
        public object construct(object[] args) => (Tensor)args[0];
    }
}
