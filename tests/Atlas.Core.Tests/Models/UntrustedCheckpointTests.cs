using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Atlas.Core.Models;
using Atlas.Core.Models.Checkpoints;
using TorchSharp.PyBridge;

namespace Atlas.Core.Tests.Models;

/// <summary>
/// Files crafted here to be hostile or broken: each must give one line naming the file, never a raw
/// library exception, and a pickle that asks for code must never get it.
/// </summary>
[Collection(GlobalTorchRandomCollection.Name)]
public class UntrustedCheckpointTests
{
    [Theory]
    [InlineData("pth", "truncated or corrupt zip archive")]
    [InlineData("safetensors", "truncated")]
    [InlineData("torchsharp", "truncated")]
    public void A_truncated_checkpoint_is_one_line_naming_the_file(string format, string expected)
    {
        using var folder = new TempFolder();
        TorchRuntime.Initialize();
        using var network = new DemoCnn();
        var whole = folder.File("whole." + format);
        CheckpointLoadingTests.Save(network, format, whole);
        var bytes = File.ReadAllBytes(whole);
        var cut = folder.File(format == "safetensors" ? "cut.safetensors" : "cut." + format);
        File.WriteAllBytes(cut, bytes[..(bytes.Length * 2 / 3)]);

        var error = AssertInputError(cut);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void A_safetensors_header_that_lies_is_refused_before_reading_data()
    {
        using var folder = new TempFolder();
        var wrongSize = WriteSafetensors(folder.File("size.safetensors"),
            """{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}""", dataBytes: 16);
        Assert.Contains("'w' lies about its size", AssertInputError(wrongSize).Message);

        var overlap = WriteSafetensors(folder.File("overlap.safetensors"),
            """{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},"b":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}""", dataBytes: 16);
        Assert.Contains("overlap", AssertInputError(overlap).Message);

        var beyond = WriteSafetensors(folder.File("beyond.safetensors"),
            """{"w":{"dtype":"F32","shape":[1000],"data_offsets":[0,4000]}}""", dataBytes: 16);
        Assert.Contains("ends at byte 4000 of the data section, but the file holds only 16", AssertInputError(beyond).Message);

        var header = folder.File("header.safetensors");
        var bytes = new byte[64];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, 1UL << 40);
        bytes[8] = (byte)'{';
        File.WriteAllBytes(header, bytes);
        Assert.Contains("truncated", AssertInputError(header).Message);

        var dtype = WriteSafetensors(folder.File("dtype.safetensors"),
            """{"w":{"dtype":"F8_E4M3","shape":[4],"data_offsets":[0,4]}}""", dataBytes: 4);
        Assert.Contains("dtype F8_E4M3, which is not supported", AssertInputError(dtype).Message);
    }

    [Fact]
    public void A_pickle_that_calls_os_system_is_refused_and_nothing_runs()
    {
        using var folder = new TempFolder();
        var marker = folder.File("pwned");
        // Protocol 2: GLOBAL posix.system, the argument tuple ("touch <marker>",), REDUCE, STOP.
        var command = Encoding.ASCII.GetBytes($"touch {marker}");
        var pickle = new List<byte> { 0x80, 0x02 };
        pickle.AddRange("cposix\nsystem\nq\u0000"u8.ToArray());
        pickle.Add((byte)'X');
        pickle.AddRange(BitConverter.GetBytes(command.Length));
        pickle.AddRange(command);
        pickle.AddRange("q\u0001\u0085q\u0002Rq\u0003."u8.ToArray());
        var path = WriteZipPickle(folder.File("evil.pth"), pickle.ToArray());

        var error = AssertInputError(path);
        Assert.Contains("refused to load: the pickle references posix.system, and only tensors and containers are loaded; if it is a training checkpoint, save its state dict on its own", error.Message);
        Assert.False(File.Exists(marker));

        // Even without the scan, the unpickler underneath builds data only: it fails rather than run the command.
        using (var stream = File.OpenRead(path))
            Assert.ThrowsAny<Exception>(() => PyTorchUnpickler.UnpickleStateDict(stream, leaveOpen: true, skipTensorRead: true));
        Assert.False(File.Exists(marker));
    }

    [Fact]
    public void A_protocol_4_stack_global_is_resolved_and_refused()
    {
        using var folder = new TempFolder();
        // SHORT_BINUNICODE "os", MEMOIZE, SHORT_BINUNICODE "system", MEMOIZE, STACK_GLOBAL, STOP.
        byte[] pickle = [0x80, 0x04, 0x8c, 2, .. "os"u8, 0x94, 0x8c, 6, .. "system"u8, 0x94, 0x93, (byte)'.'];
        var error = AssertInputError(WriteZipPickle(folder.File("stack.pth"), pickle));
        Assert.Contains("references os.system", error.Message);

        // The same global again, through memo lookups (BINGET) rather than fresh strings.
        byte[] memoized = [0x80, 0x04, 0x8c, 2, .. "os"u8, 0x94, 0x8c, 6, .. "system"u8, 0x94, (byte)'0', (byte)'0', (byte)'h', 0, (byte)'h', 1, 0x93, (byte)'.'];
        Assert.Contains("references os.system", AssertInputError(WriteZipPickle(folder.File("memo.pth"), memoized)).Message);
    }

    [Fact]
    public void A_whole_model_pickle_is_refused_with_a_hint()
    {
        using var folder = new TempFolder();
        byte[] pickle = [0x80, 0x02, .. "ctorchvision.models.googlenet\nGoogLeNet\n"u8, (byte)')', 0x81, (byte)'.'];
        var error = AssertInputError(WriteZipPickle(folder.File("model.pth"), pickle));
        Assert.Contains("torchvision.models.googlenet.GoogLeNet", error.Message);
        Assert.Contains("state_dict()", error.Message);
    }

    [Fact]
    public void Legacy_empty_garbage_and_foreign_zip_files_are_one_line_errors()
    {
        using var folder = new TempFolder();
        var legacy = folder.File("legacy.pth");
        File.WriteAllBytes(legacy, [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e]);
        Assert.Contains("legacy (pre-1.6, non-zip) PyTorch checkpoint", AssertInputError(legacy).Message);

        var empty = folder.File("empty.pt");
        File.WriteAllBytes(empty, []);
        Assert.Contains("empty file", AssertInputError(empty).Message);

        var garbage = folder.File("garbage.pt");
        File.WriteAllBytes(garbage, Enumerable.Range(0, 4096).Select(i => (byte)(i * 7919 % 251)).ToArray());
        AssertInputError(garbage);

        var foreign = folder.File("foreign.pth");
        using (var zip = ZipFile.Open(foreign, ZipArchiveMode.Create))
        using (var writer = new StreamWriter(zip.CreateEntry("readme.txt").Open()))
            writer.Write("not a checkpoint");
        Assert.Contains("without data.pkl", AssertInputError(foreign).Message);
    }

    [Fact]
    public void A_file_read_as_TorchSharps_format_names_a_bad_entry_by_its_key_or_where_the_key_is_not_text_by_its_number()
    {
        using var folder = new TempFolder();
        // One entry: its key (length-prefixed UTF-8), then a dtype code TorchSharp's format does not have.
        var named = folder.File("named.dat");
        File.WriteAllBytes(named, [1, 9, .. "fc.weight"u8, 99]);
        Assert.EndsWith("(read as TorchSharp's format, its entry 'fc.weight' has an unsupported dtype code 99)", AssertInputError(named).Message);
        var binary = folder.File("binary.dat");
        File.WriteAllBytes(binary, [1, 3, 0x1b, 0x7f, 0x0d, 99]);
        Assert.EndsWith("(read as TorchSharp's format, its entry number 1 (whose key is not text) has an unsupported dtype code 99)", AssertInputError(binary).Message);

        // Random bytes of the sizes a new user tried: whatever the reader meets, the line stays printable.
        var random = new Random(11);
        for (int i = 0; i < 40; i++)
        {
            var noise = folder.File($"noise{i}.pth");
            var bytes = new byte[random.Next(100, 300)];
            random.NextBytes(bytes);
            bytes[0] = (byte)random.Next(1, 0x50); // not a zip, a pickle or a safetensors header, so read as TorchSharp's format
            File.WriteAllBytes(noise, bytes);
            AssertInputError(noise);
        }
    }

    private static AtlasInputException AssertInputError(string path)
    {
        var error = Assert.Throws<AtlasInputException>(() => ModelLoader.Load("demo-cnn", path, []));
        Assert.StartsWith(path + ":", error.Message);
        Assert.DoesNotContain('\n', error.Message);
        Assert.False(error.Message.Any(char.IsControl), $"a control character reaches the terminal: {error.Message}");
        // Reading alone fails the same way, before any network is built.
        Assert.Throws<AtlasInputException>(() => CheckpointReader.Read(path).Dispose());
        return error;
    }

    private static string WriteSafetensors(string path, string header, int dataBytes)
    {
        var json = Encoding.UTF8.GetBytes(header);
        using var output = File.Create(path);
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)json.Length);
        output.Write(length);
        output.Write(json);
        output.Write(new byte[dataBytes]);
        return path;
    }

    private static string WriteZipPickle(string path, byte[] pickle)
    {
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        using (var entry = zip.CreateEntry("archive/data.pkl", CompressionLevel.NoCompression).Open()) entry.Write(pickle);
        using (var version = new StreamWriter(zip.CreateEntry("archive/version").Open())) version.Write("3\n");
        return path;
    }
}
