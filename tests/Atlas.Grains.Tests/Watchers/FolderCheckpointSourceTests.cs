using Atlas.Grains.Watchers;

namespace Atlas.Grains.Tests.Watchers;

/// <summary>What a watched folder lists: links by their targets, and nothing that has no bytes to read.</summary>
public sealed class FolderCheckpointSourceTests : IDisposable
{
    private readonly string folder = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "atlas-grains-tests", Guid.NewGuid().ToString("N"))).FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private async Task<Dictionary<string, CheckpointEntry>> ListAsync() =>
        (await new FolderCheckpointSource(folder).ListAsync(CancellationToken.None).WaitAsync(TimeSpan.FromMinutes(1))).ToDictionary(e => e.Key);

    [Fact]
    public async Task A_link_is_listed_by_its_target_so_a_rewritten_target_is_seen_to_change()
    {
        var real = Path.Combine(folder, "model.pt");
        await File.WriteAllBytesAsync(real, new byte[100]);
        File.SetLastWriteTimeUtc(real, DateTime.UtcNow.AddMinutes(-5));
        File.CreateSymbolicLink(Path.Combine(folder, "latest.pt"), "model.pt");

        var before = await ListAsync();
        Assert.Equal(100, before["latest.pt"].Size);
        Assert.Equal(before["model.pt"].Modified, before["latest.pt"].Modified);

        await File.WriteAllBytesAsync(real, new byte[150]); // the trainer saves the next epoch over the target
        var after = await ListAsync();
        Assert.Equal(150, after["latest.pt"].Size);
        Assert.NotEqual(before["latest.pt"].Fingerprint, after["latest.pt"].Fingerprint);
    }

    [Fact]
    public async Task An_empty_file_a_pipe_and_a_broken_link_are_not_listed_and_the_listing_does_not_wait()
    {
        await File.WriteAllBytesAsync(Path.Combine(folder, "good.pt"), [1, 2, 3]);
        await File.WriteAllBytesAsync(Path.Combine(folder, "just-created.pt"), []);
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [Path.Combine(folder, "pipe.pt")])) await mkfifo.WaitForExitAsync();
        File.CreateSymbolicLink(Path.Combine(folder, "broken.pt"), "gone.pt");
        Directory.CreateDirectory(Path.Combine(folder, "folder.pt"));

        Assert.Equal(["good.pt"], (await ListAsync()).Keys);
    }
}
