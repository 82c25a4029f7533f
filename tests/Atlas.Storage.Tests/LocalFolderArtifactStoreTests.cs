using System.Text;
using Atlas.Storage;

namespace Atlas.Storage.Tests;

/// <summary>The store contract on a fresh temporary folder, plus what only a folder can show.</summary>
public sealed class LocalFolderArtifactStoreTests : ArtifactStoreContract, IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "atlas-store-" + Guid.NewGuid().ToString("N"));
    private readonly LocalFolderArtifactStore _store;

    public LocalFolderArtifactStoreTests()
    {
        _store = new LocalFolderArtifactStore(_folder);
    }

    protected override IArtifactStore Store => _store;

    public void Dispose()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public void Description_names_the_full_path()
    {
        var relative = new LocalFolderArtifactStore(Path.GetRelativePath(Environment.CurrentDirectory, _folder));
        Assert.Equal($"folder {Path.GetFullPath(_folder)}", relative.Description);
    }

    [Fact]
    public async Task Keys_are_files_at_their_relative_paths()
    {
        await _store.PutAsync($"{Root}/layers/conv1/atlas.json", Encoding.UTF8.GetBytes("{}"), "application/json");

        Assert.Equal("{}", File.ReadAllText(Path.Combine(_folder, Root, "layers", "conv1", "atlas.json")));
    }

    /// <summary>A copy is a second name for the same file (no second copy on disk), which a later write replaces.</summary>
    [Fact]
    public async Task Copy_links_the_file_and_a_later_put_unlinks_it()
    {
        await _store.PutAsync($"{Root}/v1/vis.png", Encoding.UTF8.GetBytes("png"), "image/png");
        await _store.CopyAsync($"{Root}/v1/vis.png", $"{Root}/v2/vis.png", "image/png");
        Assert.Equal(2, FileStat.LinkCount(Path.Combine(_folder, Root, "v2", "vis.png")));
        Assert.DoesNotContain(Directory.GetFiles(Path.Combine(_folder, Root, "v2")), f => f.Contains(".~tmp-", StringComparison.Ordinal));

        await _store.PutAsync($"{Root}/v2/vis.png", Encoding.UTF8.GetBytes("new"), "image/png");
        Assert.Equal(1, FileStat.LinkCount(Path.Combine(_folder, Root, "v1", "vis.png")));
        Assert.Equal("png", File.ReadAllText(Path.Combine(_folder, Root, "v1", "vis.png")));
    }

    /// <summary>The site links a folder store's images by the file each key is in, through any retrying wrapper.</summary>
    [Fact]
    public async Task LocalFile_is_the_file_that_holds_the_key_also_through_the_retrying_wrapper()
    {
        var key = $"{Root}/layers/conv1/units/0/vis.png";
        await _store.PutAsync(key, Encoding.UTF8.GetBytes("png"), "image/png");

        var file = Path.Combine(_folder, Root, "layers", "conv1", "units", "0", "vis.png");
        Assert.Equal(file, _store.LocalFile(key));
        Assert.Equal(file, new ResilientArtifactStore(_store).LocalFile(key));
        Assert.Equal("png", File.ReadAllText(file));
    }

    [Fact]
    public async Task A_folder_records_no_content_hashes_but_still_refuses_a_bad_prefix()
    {
        await _store.PutAsync($"{Root}/img/a.png", Encoding.UTF8.GetBytes("png"), "image/png");

        Assert.Null(await _store.ContentHashesAsync($"{Root}/img/"));
        await Assert.ThrowsAsync<ArgumentException>(() => _store.ContentHashesAsync("../img/"));
    }

    [Fact]
    public async Task Writes_leave_no_temporary_files_behind()
    {
        for (var i = 0; i < 5; i++) await _store.PutAsync($"{Root}/k.bin", new byte[1000 * i], "application/octet-stream");

        Assert.Equal([Path.Combine(_folder, Root, "k.bin")], Directory.GetFiles(Path.Combine(_folder, Root)));
    }

    [Fact]
    public async Task Listing_skips_temporary_files_and_files_no_key_can_name()
    {
        await _store.PutAsync($"{Root}/real.txt", Encoding.UTF8.GetBytes("r"), "text/plain");
        File.WriteAllText(Path.Combine(_folder, Root, "real.txt.~tmp-0123"), "half");
        File.WriteAllText(Path.Combine(_folder, Root, "has space.txt"), "stray");

        var keys = new List<string>();
        await foreach (var key in _store.ListAsync($"{Root}/")) keys.Add(key);
        Assert.Equal([$"{Root}/real.txt"], keys);
    }

    [Fact]
    public async Task Readers_never_see_a_partly_written_file()
    {
        // Two contents of the same length, each uniform: any mix of bytes would reveal a torn read.
        var a = Enumerable.Repeat((byte)'a', 1 << 20).ToArray();
        var b = Enumerable.Repeat((byte)'b', 1 << 20).ToArray();
        var key = $"{Root}/big.bin";
        await _store.PutAsync(key, a, "application/octet-stream");

        using var stop = new CancellationTokenSource();
        var writer = Task.Run(async () =>
        {
            for (var i = 0; i < 60; i++) await _store.PutAsync(key, i % 2 == 0 ? b : a, "application/octet-stream");
            stop.Cancel();
        });
        var reads = 0;
        while (!stop.IsCancellationRequested)
        {
            var got = await _store.GetAsync(key);
            Assert.NotNull(got);
            Assert.Equal(a.Length, got.Length);
            Assert.True(got.All(x => x == got[0]), "a read returned a mix of two writes");
            reads++;
        }
        await writer;
        Assert.True(reads > 0);
    }

    [Fact]
    public async Task Reading_a_store_that_was_never_written_creates_no_folder()
    {
        var missing = Path.Combine(_folder, "never-written");
        var store = new LocalFolderArtifactStore(missing);

        Assert.Null(await store.GetAsync("a/b.json"));
        Assert.False(await store.ExistsAsync("a/b.json"));
        await store.DeleteAsync("a/b.json");
        await foreach (var _ in store.ListAsync("")) Assert.Fail("an unwritten store listed a key");
        Assert.False(Directory.Exists(missing));
    }

    [Fact]
    public void An_empty_folder_path_is_rejected()
    {
        Assert.Throws<ArgumentException>(() => new LocalFolderArtifactStore(" "));
    }
}
