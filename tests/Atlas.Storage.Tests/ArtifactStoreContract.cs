using System.Text;
using Atlas.Storage;

namespace Atlas.Storage.Tests;

/// <summary>
/// What every <see cref="IArtifactStore"/> must do, written once and run against each implementation
/// so the local folder and Azure Blob cannot drift apart. Each test works under its own key root,
/// so implementations that share one container across a test class see no interference.
/// </summary>
public abstract class ArtifactStoreContract
{
    protected abstract IArtifactStore Store { get; }

    /// <summary>The content type the store recorded for a key, or null where the store does not keep one.</summary>
    protected virtual Task<string?> ReadContentTypeAsync(string key) => Task.FromResult<string?>(null);

    protected string Root { get; } = "t" + Guid.NewGuid().ToString("N")[..12];

    private string K(string relative) => $"{Root}/{relative}";

    private static byte[] Bytes(string s) => Encoding.UTF8.GetBytes(s);

    private async Task<List<string>> ListAsync(string prefix)
    {
        var keys = new List<string>();
        await foreach (var key in Store.ListAsync(prefix)) keys.Add(key);
        return keys;
    }

    [Fact]
    public async Task Put_then_get_returns_the_same_bytes()
    {
        var content = new byte[70_000];
        new Random(7).NextBytes(content);
        await Store.PutAsync(K("layers/conv1/units/0/vis.png"), content, "image/png");

        Assert.Equal(content, await Store.GetAsync(K("layers/conv1/units/0/vis.png")));
    }

    [Fact]
    public async Task Empty_content_round_trips()
    {
        await Store.PutAsync(K("empty.bin"), ReadOnlyMemory<byte>.Empty, "application/octet-stream");

        var got = await Store.GetAsync(K("empty.bin"));
        Assert.NotNull(got);
        Assert.Empty(got);
        Assert.True(await Store.ExistsAsync(K("empty.bin")));
    }

    [Fact]
    public async Task Get_of_a_missing_key_is_null()
    {
        Assert.Null(await Store.GetAsync(K("nothing/here.json")));
    }

    /// <summary>A watched version reuses an older one's pictures by copying them: the two keys must stay independent.</summary>
    [Fact]
    public async Task Copy_puts_the_bytes_at_the_new_key_and_later_writes_to_either_leave_the_other_alone()
    {
        await Store.PutAsync(K("v1/vis.png"), Bytes("first"), "image/png");

        Assert.True(await Store.CopyAsync(K("v1/vis.png"), K("v2/vis.png"), "image/png"));
        Assert.Equal(Bytes("first"), await Store.GetAsync(K("v2/vis.png")));
        if (await ReadContentTypeAsync(K("v2/vis.png")) is { } contentType) Assert.Equal("image/png", contentType);

        await Store.PutAsync(K("v1/vis.png"), Bytes("second"), "image/png");
        await Store.PutAsync(K("v2/vis.png"), Bytes("third"), "image/png");
        Assert.Equal(Bytes("second"), await Store.GetAsync(K("v1/vis.png")));
        await Store.DeleteAsync(K("v1/vis.png"));
        Assert.Equal(Bytes("third"), await Store.GetAsync(K("v2/vis.png")));
    }

    [Fact]
    public async Task Copy_of_a_missing_key_is_false_and_writes_nothing()
    {
        Assert.False(await Store.CopyAsync(K("v1/none.png"), K("v2/none.png"), "image/png"));
        Assert.False(await Store.ExistsAsync(K("v2/none.png")));
        Assert.Empty(await ListAsync(Root + "/"));
    }

    [Fact]
    public async Task Put_overwrites_an_existing_key()
    {
        await Store.PutAsync(K("a.json"), Bytes("{\"v\":1,\"long\":\"first version is longer\"}"), "application/json");
        await Store.PutAsync(K("a.json"), Bytes("{\"v\":2}"), "application/json");

        Assert.Equal("{\"v\":2}", Encoding.UTF8.GetString((await Store.GetAsync(K("a.json")))!));
        Assert.Equal([K("a.json")], await ListAsync($"{Root}/"));
    }

    [Fact]
    public async Task Exists_follows_put_and_delete()
    {
        Assert.False(await Store.ExistsAsync(K("x.txt")));
        await Store.PutAsync(K("x.txt"), Bytes("x"), "text/plain");
        Assert.True(await Store.ExistsAsync(K("x.txt")));
        await Store.DeleteAsync(K("x.txt"));
        Assert.False(await Store.ExistsAsync(K("x.txt")));
        Assert.Null(await Store.GetAsync(K("x.txt")));
    }

    [Fact]
    public async Task Delete_of_a_missing_key_is_not_an_error()
    {
        await Store.DeleteAsync(K("never/written.bin"));
        await Store.DeleteAsync(K("never-written.bin"));
    }

    [Fact]
    public async Task List_returns_keys_under_the_prefix_in_ordinal_order()
    {
        // Written out of order, with names whose ordinal and culture orders differ ('B' < 'a', '-' < '.' < '0').
        string[] written =
        [
            K("v1/layers/b/units/10/vis.png"),
            K("v1/layers/b/units/2/vis.png"),
            K("v1/layers/a/units/0/vis.png"),
            K("v1/layers/B/units/0/vis.png"),
            K("v1/layers/a-b/x.json"),
            K("v1/layers/a.b/x.json"),
            K("v1/atlas.json"),
            K("v2/atlas.json"),
        ];
        foreach (var key in written) await Store.PutAsync(key, Bytes(key), "text/plain");

        var all = await ListAsync($"{Root}/");
        Assert.Equal(written.Order(StringComparer.Ordinal), all);

        var layers = await ListAsync($"{Root}/v1/layers/");
        Assert.Equal(written.Where(k => k.StartsWith($"{Root}/v1/layers/", StringComparison.Ordinal)).Order(StringComparer.Ordinal), layers);
        Assert.All(layers, key => Assert.DoesNotContain('\\', key));
    }

    [Fact]
    public async Task List_prefix_with_a_slash_stops_at_the_folder_boundary()
    {
        await Store.PutAsync(K("a/x.txt"), Bytes("1"), "text/plain");
        await Store.PutAsync(K("ab/x.txt"), Bytes("2"), "text/plain");

        Assert.Equal([K("a/x.txt")], await ListAsync($"{Root}/a/"));
    }

    [Fact]
    public async Task List_of_an_unused_prefix_is_empty()
    {
        Assert.Empty(await ListAsync($"{Root}/nothing/"));
    }

    [Fact]
    public async Task List_with_empty_prefix_includes_every_key_in_ordinal_order()
    {
        await Store.PutAsync(K("z.txt"), Bytes("z"), "text/plain");
        await Store.PutAsync(K("A/b.txt"), Bytes("b"), "text/plain");

        var all = await ListAsync("");
        Assert.Equal(all.Order(StringComparer.Ordinal), all);
        // Other tests of a shared container may have written keys of their own; ours must be there.
        Assert.Equal([K("A/b.txt"), K("z.txt")], all.Where(k => k.StartsWith($"{Root}/", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Deleted_keys_leave_the_listing()
    {
        await Store.PutAsync(K("d/1.txt"), Bytes("1"), "text/plain");
        await Store.PutAsync(K("d/2.txt"), Bytes("2"), "text/plain");
        await Store.DeleteAsync(K("d/1.txt"));

        Assert.Equal([K("d/2.txt")], await ListAsync($"{Root}/d/"));
    }

    [Theory]
    [InlineData("image/png")]
    [InlineData("application/json")]
    [InlineData("text/html; charset=utf-8")]
    public async Task Content_type_is_kept_where_the_store_records_it(string contentType)
    {
        await Store.PutAsync(K("typed"), Bytes("x"), contentType);

        var recorded = await ReadContentTypeAsync(K("typed"));
        if (recorded is not null) Assert.Equal(contentType, recorded);
        Assert.Equal(Bytes("x"), await Store.GetAsync(K("typed")));
    }

    public static TheoryData<string> UnsafeKeys =>
    [
        "../x", "/abs", "a//b", "a/./b", "a/../b", "a/", "", ".", "..", "a\\b", "a b", "a:b", "~x", ".hidden", "a/.b",
    ];

    [Theory]
    [MemberData(nameof(UnsafeKeys))]
    public async Task Unsafe_keys_are_rejected_by_every_operation(string key)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Store.PutAsync(key, Bytes("x"), "text/plain"));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.GetAsync(key));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.ExistsAsync(key));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.DeleteAsync(key));
    }

    [Theory]
    [InlineData("../")]
    [InlineData("/abs/")]
    [InlineData("a//")]
    [InlineData("a//b/")]
    [InlineData("a/./")]
    [InlineData("/")]
    public async Task Unsafe_list_prefixes_are_rejected(string prefix)
    {
        await Assert.ThrowsAsync<ArgumentException>(async () =>
        {
            await foreach (var _ in Store.ListAsync(prefix)) { }
        });
    }

    [Fact]
    public async Task Put_many_writes_every_object_with_its_own_content_and_type()
    {
        var writes = Enumerable.Range(0, 40).Select(i => new ArtifactWrite(K($"many/{i}.png"), Bytes($"picture {i}"), "image/png")).ToList();
        await Store.PutManyAsync(writes, concurrency: 8);

        Assert.Equal(writes.Select(w => w.Key).Order(StringComparer.Ordinal), await ListAsync(K("many/")));
        foreach (var write in writes)
        {
            Assert.Equal(write.Content.ToArray(), await Store.GetAsync(write.Key));
            if (await ReadContentTypeAsync(write.Key) is { } type) Assert.Equal("image/png", type);
        }
    }

    [Fact]
    public async Task Put_many_fails_when_any_write_fails()
    {
        var writes = new[] { new ArtifactWrite(K("good.png"), Bytes("x"), "image/png"), new ArtifactWrite("../bad.png", Bytes("y"), "image/png") };
        await Assert.ThrowsAsync<ArgumentException>(() => Store.PutManyAsync(writes));
    }

    [Fact]
    public void Description_is_not_empty()
    {
        Assert.False(string.IsNullOrWhiteSpace(Store.Description));
    }
}
