using Atlas.Core.Models;
using Atlas.Core.Models.Checkpoints;
using static TorchSharp.torch;

namespace Atlas.Core.Tests.Models;

/// <summary>
/// Every way a save can be caught half-way: each prefix of real checkpoints (PyTorch zips and TorchScript
/// archives PyTorch wrote, a safetensors file, TorchSharp's format) is unfinished, the whole file is not,
/// and bytes that are no checkpoint are left to the loader to reject.
/// </summary>
[Collection(GlobalTorchRandomCollection.Name)]
public class CheckpointCompletenessTests
{
    private static string? Check(byte[] content, int length) => CheckpointCompleteness.Unfinished(new MemoryStream(content, 0, length, writable: false));

    /// <summary>Every prefix when the file is small, else the first and last thousand and a thousand between.</summary>
    private static IEnumerable<int> Prefixes(int length)
    {
        if (length <= 20_000) return Enumerable.Range(0, length);
        return Enumerable.Range(0, 1000).Concat(Enumerable.Range(length - 1000, 1000))
            .Concat(Enumerable.Range(0, 1000).Select(i => (int)((long)length * i / 1000)));
    }

    /// <param name="from">The shortest prefix that shows the format (shorter ones may be left to the loader).</param>
    private static void AssertOnlyTheWholeFileIsFinished(byte[] content, string expectedWords, int from)
    {
        Assert.Null(Check(content, content.Length));
        Assert.Equal("the file is empty", Check(content, 0));
        foreach (int length in Prefixes(content.Length).Where(n => n >= from))
        {
            var why = Check(content, length);
            Assert.True(why is not null, $"the first {length} of {content.Length} bytes were taken for a whole checkpoint");
            Assert.Contains(expectedWords, why);
        }
    }

    [Theory]
    [InlineData("state-dict.pth")]      // torch.save of a state dict
    [InlineData("tiny-cnn.pt")]         // torch.jit.save of a module
    public void A_zip_pytorch_wrote_is_unfinished_until_its_end_record(string fixture) =>
        AssertOnlyTheWholeFileIsFinished(File.ReadAllBytes(TorchScriptFixtures.Fixture(fixture)), "zip", from: 4);

    [GoogLeNetFixtureFact]
    public void A_large_pytorch_zip_and_safetensors_file_are_unfinished_until_their_last_byte()
    {
        AssertOnlyTheWholeFileIsFinished(File.ReadAllBytes(Path.Combine(RepositoryPaths.GoogLeNetFixture, "googlenet_fp16.pth")), "zip", from: 4);
        var safetensors = File.ReadAllBytes(Path.Combine(RepositoryPaths.GoogLeNetFixture, "googlenet_fp16.safetensors"));
        Assert.Null(Check(safetensors, safetensors.Length));
        foreach (int length in Prefixes(safetensors.Length).Where(n => n > 8))
            Assert.Contains("safetensors", Check(safetensors, length));
    }

    [Fact]
    public void A_torchsharp_checkpoint_is_unfinished_until_its_last_entry_is_whole()
    {
        TorchRuntime.Initialize();
        random.manual_seed(3);
        using var network = new DemoCnn();
        using var saved = new MemoryStream();
        network.save(saved);
        // The first entry's header (count, "conv1.weight", dtype, shape) ends within 64 bytes.
        AssertOnlyTheWholeFileIsFinished(saved.ToArray(), "TorchSharp", from: 64);
    }

    [Fact]
    public void A_zip_with_a_comment_after_its_end_record_is_whole()
    {
        var content = File.ReadAllBytes(TorchScriptFixtures.Fixture("state-dict.pth"));
        var comment = "saved by a trainer that comments its archives"u8.ToArray();
        var commented = content.Concat(comment).ToArray();
        // The end record's comment length is its last two bytes.
        BitConverter.TryWriteBytes(commented.AsSpan(content.Length - 2), (ushort)comment.Length);
        Assert.Null(Check(commented, commented.Length));
        Assert.Contains("zip", Check(commented, commented.Length - 1));
    }

    [Fact]
    public void Bytes_that_are_no_checkpoint_are_not_called_unfinished_so_the_loader_rejects_them()
    {
        var generator = new Random(7);
        for (int i = 0; i < 200; i++)
        {
            var noise = new byte[generator.Next(100, 5000)];
            generator.NextBytes(noise);
            noise[0] = (byte)generator.Next(2, 256);   // not a count of 0 or 1, nor the start of a zip ('P')
            if (noise[0] == (byte)'P') noise[0] = 2;
            Assert.Null(Check(noise, noise.Length));
        }
        var json = "{\"not\": \"a checkpoint\"}"u8.ToArray();
        Assert.Null(Check(json, json.Length));
    }

}
