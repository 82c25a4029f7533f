using System.Buffers.Binary;
using System.Text;

namespace Atlas.Core.Models.Checkpoints;

/// <summary>
/// Walks a pickle's opcodes without executing any of them and refuses one that could do more than
/// rebuild tensors inside dicts, lists and tuples: every global it names must be on a short allowlist
/// (OrderedDict, torch's tensor-rebuild function and storage types, and the data-only classes of a training
/// checkpoint's other entries, <see cref="TrainingStateObjects"/>), and opcodes that build arbitrary
/// objects (INST, OBJ, extension-registry lookups, out-of-band buffers, text persistent ids) are refused.
/// The unpickler that runs afterwards never executes code either; this check makes the refusal explicit
/// and names what the file asked for.
/// </summary>
public static class PickleSafetyScanner
{
    private static readonly HashSet<string> AllowedGlobals = new(StringComparer.Ordinal)
    {
        "collections.OrderedDict",
        "torch._utils._rebuild_tensor",
        "torch._utils._rebuild_tensor_v2",
        "torch._utils._rebuild_parameter",            // a dict of nn.Parameters: read as their tensors
        "torch._utils._rebuild_parameter_with_state",
        "torch.FloatStorage", "torch.HalfStorage", "torch.BFloat16Storage", "torch.DoubleStorage",
        "torch.LongStorage", "torch.IntStorage", "torch.ShortStorage", "torch.CharStorage",
        "torch.ByteStorage", "torch.BoolStorage",
        // How protocol 2 writes bytes (NumPy scalars' and arrays' data); the unpickler turns it into a byte array.
        "_codecs.encode",
    };

    /// <summary>Throws <see cref="AtlasInputException"/> naming <paramref name="file"/> unless the pickle is plain data.</summary>
    public static void Check(ReadOnlySpan<byte> pickle, string file)
    {
        // Recent pushes of string constants, so that STACK_GLOBAL (protocol 4) can be resolved: the
        // pickler writes the module and the name as two strings (or memo lookups of them) right before it.
        var recent = new List<string?>();
        var memo = new Dictionary<long, string?>();
        int at = 0;
        while (true)
        {
            if (at >= pickle.Length) throw Refuse(file, "the pickle ends without a STOP opcode (truncated)");
            byte op = pickle[at++];
            string? pushed = null;
            bool pushesString = false;
            switch (op)
            {
                case (byte)'.': // STOP
                    return;
                case (byte)'c': // GLOBAL module\nname\n
                {
                    var module = Line(pickle, ref at, file);
                    var name = Line(pickle, ref at, file);
                    RequireAllowed(module, name, file);
                    break;
                }
                case 0x93: // STACK_GLOBAL
                {
                    if (recent.Count < 2 || recent[^2] is not { } module || recent[^1] is not { } name)
                        throw Refuse(file, "the pickle names a global that cannot be checked without running it");
                    RequireAllowed(module, name, file);
                    break;
                }
                case (byte)'i': // INST module\nname\n: instantiates a class
                {
                    var module = Line(pickle, ref at, file);
                    var name = Line(pickle, ref at, file);
                    throw Refuse(file, $"the pickle instantiates {module}.{name} (only tensors and containers are loaded)");
                }
                case (byte)'o': throw Refuse(file, "the pickle instantiates an object with OBJ (only tensors and containers are loaded)");
                case 0x82: case 0x83: case 0x84: throw Refuse(file, "the pickle uses the copyreg extension registry (only tensors and containers are loaded)");
                case 0x97: case 0x98: throw Refuse(file, "the pickle uses out-of-band buffers");
                case (byte)'P': throw Refuse(file, "the pickle uses text persistent ids, which PyTorch does not write");

                // Strings: keep their values for STACK_GLOBAL.
                case 0x8c: pushed = Utf8(pickle, ref at, Length(pickle, ref at, 1, file), file); pushesString = true; break; // SHORT_BINUNICODE
                case (byte)'X': pushed = Utf8(pickle, ref at, Length(pickle, ref at, 4, file), file); pushesString = true; break; // BINUNICODE
                case 0x8d: pushed = Utf8(pickle, ref at, Length(pickle, ref at, 8, file), file); pushesString = true; break; // BINUNICODE8
                case (byte)'V': pushed = Line(pickle, ref at, file); pushesString = true; break; // UNICODE (raw-unicode-escape; ASCII names read the same)

                // Memo: remember strings so that a later BINGET of a module name still resolves.
                case 0x94: memo[memo.Count] = recent.Count > 0 ? recent[^1] : null; continue; // MEMOIZE
                case (byte)'q': memo[Unsigned(pickle, ref at, 1, file)] = recent.Count > 0 ? recent[^1] : null; continue; // BINPUT
                case (byte)'r': memo[Unsigned(pickle, ref at, 4, file)] = recent.Count > 0 ? recent[^1] : null; continue; // LONG_BINPUT
                case (byte)'p': memo[ParseIndex(Line(pickle, ref at, file), file)] = recent.Count > 0 ? recent[^1] : null; continue; // PUT
                case (byte)'h': pushed = memo.GetValueOrDefault(Unsigned(pickle, ref at, 1, file)); pushesString = pushed is not null; break; // BINGET
                case (byte)'j': pushed = memo.GetValueOrDefault(Unsigned(pickle, ref at, 4, file)); pushesString = pushed is not null; break; // LONG_BINGET
                case (byte)'g': pushed = memo.GetValueOrDefault(ParseIndex(Line(pickle, ref at, file), file)); pushesString = pushed is not null; break; // GET
                case 0x95: Skip(pickle, ref at, 8, file); continue; // FRAME: framing only

                // Everything else: skip its argument.
                case 0x80: Skip(pickle, ref at, 1, file); break; // PROTO
                case (byte)'K': Skip(pickle, ref at, 1, file); break; // BININT1
                case (byte)'M': Skip(pickle, ref at, 2, file); break; // BININT2
                case (byte)'J': Skip(pickle, ref at, 4, file); break; // BININT
                case (byte)'G': Skip(pickle, ref at, 8, file); break; // BINFLOAT
                case (byte)'F': case (byte)'I': case (byte)'L': case (byte)'S': Line(pickle, ref at, file); break; // FLOAT INT LONG STRING
                case 0x8a: Skip(pickle, ref at, Length(pickle, ref at, 1, file), file); break; // LONG1
                case 0x8b: Skip(pickle, ref at, Length(pickle, ref at, 4, file), file); break; // LONG4
                case (byte)'U': case (byte)'C': Skip(pickle, ref at, Length(pickle, ref at, 1, file), file); break; // SHORT_BINSTRING SHORT_BINBYTES
                case (byte)'T': case (byte)'B': Skip(pickle, ref at, Length(pickle, ref at, 4, file), file); break; // BINSTRING BINBYTES
                case 0x8e: case 0x96: Skip(pickle, ref at, Length(pickle, ref at, 8, file), file); break; // BINBYTES8 BYTEARRAY8
                case (byte)'(': case (byte)'0': case (byte)'1': case (byte)'2': case (byte)'N': case (byte)'Q': case (byte)'R':
                case (byte)'a': case (byte)'b': case (byte)'d': case (byte)'}': case (byte)'e': case (byte)'l': case (byte)']':
                case (byte)'s': case (byte)'t': case (byte)')': case (byte)'u': case 0x81: case 0x85: case 0x86: case 0x87:
                case 0x88: case 0x89: case 0x8f: case 0x90: case 0x91: case 0x92:
                    break; // argument-free opcodes: MARK POP POP_MARK DUP NONE BINPERSID REDUCE APPEND BUILD DICT … NEWOBJ_EX
                default:
                    throw Refuse(file, $"the pickle holds an unknown opcode 0x{op:x2} at byte {at - 1}");
            }
            recent.Add(pushesString ? pushed : null);
            if (recent.Count > 8) recent.RemoveAt(0);
        }
    }

    private static void RequireAllowed(string module, string name, string file)
    {
        var global = $"{module}.{name}";
        if (AllowedGlobals.Contains(global) || TrainingStateObjects.Names.Contains(global)) return;
        // A pickled model names its classes; a training checkpoint's other entries (hyper-parameters as an
        // argparse.Namespace, paths, configs) name theirs. Either way the weights can be saved on their own.
        var hint = module.StartsWith("torch.nn.", StringComparison.Ordinal) || module.StartsWith("torchvision.", StringComparison.Ordinal) || module.StartsWith("__main__", StringComparison.Ordinal)
            ? "; save the model's state_dict() instead of the model object"
            : "; if it is a training checkpoint, save its state dict on its own (torch.save(checkpoint[\"state_dict\"], path))";
        throw Refuse(file, $"the pickle references {global}, and only tensors and containers are loaded{hint}");
    }

    private static AtlasInputException Refuse(string file, string why) => new($"{file}: refused to load: {why}");

    private static string Line(ReadOnlySpan<byte> data, ref int at, string file)
    {
        int end = data[at..].IndexOf((byte)'\n');
        if (end < 0) throw Refuse(file, "the pickle is truncated inside a text argument");
        var text = Encoding.UTF8.GetString(data.Slice(at, end));
        at += end + 1;
        return text;
    }

    private static int Length(ReadOnlySpan<byte> data, ref int at, int width, string file)
    {
        long value = Unsigned(data, ref at, width, file);
        if (value > data.Length - at) throw Refuse(file, $"the pickle declares {value} bytes of data where only {data.Length - at} remain (truncated or corrupt)");
        return (int)value;
    }

    private static long Unsigned(ReadOnlySpan<byte> data, ref int at, int width, string file)
    {
        if (at + width > data.Length) throw Refuse(file, "the pickle is truncated inside an opcode argument");
        var bytes = data.Slice(at, width);
        at += width;
        return width switch
        {
            1 => bytes[0],
            2 => BinaryPrimitives.ReadUInt16LittleEndian(bytes),
            4 => BinaryPrimitives.ReadUInt32LittleEndian(bytes),
            _ => (long)Math.Min(BinaryPrimitives.ReadUInt64LittleEndian(bytes), long.MaxValue),
        };
    }

    private static void Skip(ReadOnlySpan<byte> data, ref int at, int count, string file)
    {
        if (at + count > data.Length) throw Refuse(file, "the pickle is truncated inside an opcode argument");
        at += count;
    }

    private static string Utf8(ReadOnlySpan<byte> data, ref int at, int count, string file)
    {
        if (at + count > data.Length) throw Refuse(file, "the pickle is truncated inside a string");
        var text = Encoding.UTF8.GetString(data.Slice(at, count));
        at += count;
        return text;
    }

    private static long ParseIndex(string text, string file) =>
        long.TryParse(text, out long index) ? index : throw Refuse(file, $"the pickle has a malformed memo index '{text}'");
}
