namespace Atlas.Site.Tests;

/// <summary>
/// Generations into one folder take turns (an `atlas watch` republishing while `atlas publish` runs would otherwise
/// move each other's site away), and a generation killed halfway leaves nothing that the next one keeps.
/// </summary>
public sealed class PublishLockTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private string LockFile => Path.Combine(_temp.SiteParent, ".site.lock");

    [Fact]
    public async Task A_generation_waits_while_another_holds_the_folder_and_says_so_once()
    {
        var store = await TestAtlas.StoreAsync(_temp.StoreFolder);
        Directory.CreateDirectory(_temp.SiteParent);
        var waiting = new List<string>();
        var told = new TaskCompletionSource();
        Task<SiteResult> generation;
        // Another process's generation, as far as the lock can tell: an exclusive handle on the lock file.
        using (new FileStream(LockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None))
        {
            var options = new SiteOptions { Waiting = message => { lock (waiting) waiting.Add(message); told.TrySetResult(); } };
            generation = new SiteGenerator().GenerateAsync(store, _temp.Site, options, null, CancellationToken.None);
            await told.Task.WaitAsync(TimeSpan.FromMinutes(1));
            await Task.Delay(500); // several polls while still held
            Assert.False(generation.IsCompleted);
            Assert.Empty(_temp.SiteParentEntries());
        }
        var site = await generation.WaitAsync(TimeSpan.FromMinutes(1));
        Assert.Equal(10, site.Pages); // home, model, search, 2 layers, 3 + 2 units
        Assert.Equal([$"Waiting for another publish into {_temp.Site} to finish"], waiting);
        Assert.Equal(["site"], _temp.SiteParentEntries());
    }

    [Fact]
    public async Task A_cancelled_wait_writes_nothing()
    {
        var store = await TestAtlas.StoreAsync(_temp.StoreFolder);
        Directory.CreateDirectory(_temp.SiteParent);
        using var held = new FileStream(LockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        using var cancel = new CancellationTokenSource();
        var options = new SiteOptions { Waiting = _ => cancel.Cancel() };
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new SiteGenerator().GenerateAsync(store, _temp.Site, options, null, cancel.Token));
        Assert.Empty(_temp.SiteParentEntries());
    }

    [Fact]
    public async Task What_a_killed_generation_left_beside_the_site_is_removed_by_the_next()
    {
        var store = await TestAtlas.StoreAsync(_temp.StoreFolder);
        var staged = Path.Combine(_temp.SiteParent, $".site.tmp-{Guid.NewGuid():N}");
        var replaced = Path.Combine(_temp.SiteParent, $".site.old-{Guid.NewGuid():N}");
        // Not a generation's: other sites' staging folders (one whose name starts like this site's), and a name that only looks alike.
        var otherSite = Path.Combine(_temp.SiteParent, $".other.tmp-{Guid.NewGuid():N}");
        var longerName = Path.Combine(_temp.SiteParent, $".site2.tmp-{Guid.NewGuid():N}");
        var lookalike = Path.Combine(_temp.SiteParent, ".site.tmp-mine");
        foreach (var folder in new[] { staged, replaced, otherSite, longerName, lookalike })
        {
            Directory.CreateDirectory(Path.Combine(folder, "mnist-cnn"));
            await File.WriteAllTextAsync(Path.Combine(folder, "index.html"), "left over");
        }

        await new SiteGenerator().GenerateAsync(store, _temp.Site, new SiteOptions(), null, CancellationToken.None);

        Assert.Equal([Path.GetFileName(otherSite), ".site.tmp-mine", Path.GetFileName(longerName), "site"],
            _temp.SiteParentEntries().Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_site_named_with_wildcard_characters_leaves_other_sites_staging_folders_alone()
    {
        var store = await TestAtlas.StoreAsync(_temp.StoreFolder);
        // ".s?te.*" as a search pattern would match this live publish's staging folder of the site "site".
        var other = Path.Combine(_temp.SiteParent, $".site.tmp-{Guid.NewGuid():N}");
        Directory.CreateDirectory(other);

        await new SiteGenerator().GenerateAsync(store, Path.Combine(_temp.SiteParent, "s?te"), new SiteOptions(), null, CancellationToken.None);

        Assert.True(Directory.Exists(other));
    }
}
