using Atlas.Core.Examples;

namespace Atlas.Core.Tests.Examples;

public class TopKAgreementTests
{
    private static IReadOnlyDictionary<string, TopKTable> Tables(params int[][] imagesPerUnit)
    {
        var table = new TopKTable(imagesPerUnit.Length, 3);
        for (int unit = 0; unit < imagesPerUnit.Length; unit++)
        {
            // Decreasing values keep the listed order.
            for (int r = 0; r < imagesPerUnit[unit].Length; r++)
                table.Offer(unit, new ExampleHit(imagesPerUnit[unit][r], 10 - r, 0, 0, -1));
        }
        return new Dictionary<string, TopKTable> { ["layer"] = table };
    }

    [Fact]
    public void Shared_images_and_identical_lists_are_counted_per_unit()
    {
        var reference = Tables([1, 2, 3], [4, 5, 6], [7, 8, 9]);
        var other = Tables([1, 2, 3], [5, 4, 6], [7, 0, 10]);

        var agreement = TopKAgreement.Compare(reference, other);

        Assert.Equal(3, agreement.Units);
        Assert.Equal((1 + 1 + 1 / 3.0) / 3, agreement.MeanShared, 1e-9); // the second unit lists the same images in another order
        Assert.Equal(1 / 3.0, agreement.IdenticalUnits, 1e-9);
    }

    [Fact]
    public void Disjoint_lists_share_nothing()
    {
        var agreement = TopKAgreement.Compare(Tables([1, 2, 3]), Tables([4, 5, 6]));
        Assert.Equal(0, agreement.MeanShared);
        Assert.Equal(0, agreement.IdenticalUnits);
    }
}
