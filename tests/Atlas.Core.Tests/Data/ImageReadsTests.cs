using Atlas.Core.Data;

namespace Atlas.Core.Tests.Data;

public class ImageReadsTests
{
    /// <summary>Image i is filled with i / 255; records how many reads ran at once.</summary>
    private sealed class CountingImages(bool concurrent) : IImageDataset
    {
        private int running;
        public int MostAtOnce;
        public string Name => "counting";
        public int Count => 200;
        public int Channels => 1;
        public int Height => 2;
        public int Width => 2;
        public IReadOnlyList<string> ClassNames => [];
        public bool ConcurrentReads => concurrent;

        public ImageBatch Read(int start, int count)
        {
            int now = Interlocked.Increment(ref running);
            lock (this) MostAtOnce = Math.Max(MostAtOnce, now);
            Thread.Sleep(2);
            Interlocked.Decrement(ref running);
            return new ImageBatch(start, count, Enumerable.Repeat(start / 255f, 4 * count).ToArray(), Enumerable.Repeat(start % 10, count).ToArray());
        }

        public void Dispose() { }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Scattered_images_come_back_in_the_order_asked_and_one_at_a_time_where_the_data_set_requires(bool concurrent)
    {
        var data = new CountingImages(concurrent);
        int[] indices = [150, 3, 77, 3, 199, 0, 42, 128, 9, 64, 31, 100];
        var images = data.ReadEach(indices);
        Assert.Equal(indices, images.Select(i => i.Start));
        Assert.Equal(indices.Select(i => i / 255f), images.Select(i => i.Pixels[3]));
        // A data set that shares one file stream (IDX) must never be read from two threads at once. (Whether the
        // others overlap depends on the thread pool's load, so it is a benchmark's business, not this test's.)
        if (!concurrent) Assert.Equal(1, data.MostAtOnce);
    }
}
