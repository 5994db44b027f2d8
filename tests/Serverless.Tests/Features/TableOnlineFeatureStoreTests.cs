using System.Text;
using Serverless.Core.Features;
using Serverless.Tests.Support;

namespace Serverless.Tests.Features;

public sealed class TableOnlineFeatureStoreTests
{
    private static readonly FeatureSetDefinition Set = FeatureSetJson.Read("cust", "1", Encoding.UTF8.GetBytes(FeatureStoreStack.CustomerSet));

    [Fact]
    public async Task Write_OutOfOrder_KeepsTheNewestValueOfEachFeature()
    {
        var table = new FakeTable();
        var store = new TableOnlineFeatureStore(table.Client);

        await store.WriteAsync(Set, [Row("c1", ticks: 300, f1: 3)], CancellationToken.None);
        var late = await store.WriteAsync(Set, [Row("c1", ticks: 100, f1: 1, f2: 10)], CancellationToken.None);
        var read = (await store.ReadAsync(Set, ["c1", "c2"], CancellationToken.None));

        Assert.Equal(new OnlineWriteResult(1, 1, 1, 1), late);
        Assert.Equal(3, read[0]!.Numbers[0]);
        Assert.Equal(10, read[0]!.Numbers[1]);
        Assert.Equal((300L, 100L), (read[0]!.Ticks[0], read[0]!.Ticks[1]));
        Assert.Null(read[1]);
    }

    [Fact]
    public async Task Write_SameRowsAgain_WritesNothing()
    {
        var table = new FakeTable();
        var store = new TableOnlineFeatureStore(table.Client);
        await store.WriteAsync(Set, [Row("c1", ticks: 100, f1: 1)], CancellationToken.None);
        var etag = table.Rows.Single().ETag;

        var again = await store.WriteAsync(Set, [Row("c1", ticks: 100, f1: 1)], CancellationToken.None);

        Assert.Equal(new OnlineWriteResult(1, 0, 0, 1), again);
        Assert.Equal(etag, table.Rows.Single().ETag);
    }

    [Fact]
    public async Task Write_ConcurrentChangeBetweenReadAndWrite_RetriesAndKeepsBothValues()
    {
        var table = new FakeTable();
        var store = new TableOnlineFeatureStore(table.Client);
        await store.WriteAsync(Set, [Row("c1", ticks: 100, f1: 1)], CancellationToken.None);
        var interfered = false;
        table.BeforeTransaction = async () =>
        {
            if (!interfered)
            {
                interfered = true;
                await store.WriteAsync(Set, [Row("c1", ticks: 500, f2: 50)], CancellationToken.None);
            }
        };

        await store.WriteAsync(Set, [Row("c1", ticks: 200, f1: 2)], CancellationToken.None);
        var read = (await store.ReadAsync(Set, ["c1"], CancellationToken.None))[0]!;

        Assert.True(interfered);
        Assert.Equal((2d, 50d), (read.Numbers[0], read.Numbers[1]));
    }

    [Fact]
    public async Task Write_SeveralRowsOfOneKey_FoldIntoOneEntity()
    {
        var table = new FakeTable();
        var store = new TableOnlineFeatureStore(table.Client);

        var result = await store.WriteAsync(Set, [Row("c1", ticks: 200, f1: 2), Row("c1", ticks: 100, f1: 1, f2: 7), Row("c2", ticks: 100, f1: 9)], CancellationToken.None);

        Assert.Equal(2, result.Keys);
        Assert.Equal(2, table.Rows.Count);
        Assert.Equal(2, table.Rows.Single(r => r.PartitionKey == "c1").GetDouble("v0"));
        Assert.Equal("c1", table.Rows.Single(r => r.PartitionKey == "c1").GetString("k0"));
    }

    private static FeatureRecord Row(string key, long ticks, double? f1 = null, double? f2 = null)
    {
        var row = new FeatureRecord(key, [key], 2);
        if (f1 is { } a)
        {
            row.Numbers[0] = a;
            row.Ticks[0] = ticks;
        }

        if (f2 is { } b)
        {
            row.Numbers[1] = b;
            row.Ticks[1] = ticks;
        }

        return row;
    }
}
