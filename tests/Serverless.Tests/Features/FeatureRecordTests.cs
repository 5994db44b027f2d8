using Serverless.Core.Features;

namespace Serverless.Tests.Features;

public sealed class FeatureRecordTests
{
    [Fact]
    public void Merge_OlderValue_NeverReplacesANewerOne()
    {
        var stored = Row(ticks: 200, value: 2);

        var (updated, kept) = stored.Merge(Row(ticks: 100, value: 1));

        Assert.Equal((0, 1), (updated, kept));
        Assert.Equal(2, stored.Numbers[0]);
        Assert.Equal(200, stored.Ticks[0]);
    }

    [Fact]
    public void Merge_PerFeature_EachFeatureKeepsItsNewestValue()
    {
        var stored = Row(ticks: 100, value: 1);
        stored.Numbers[1] = 10;
        stored.Ticks[1] = 300;
        var incoming = Row(ticks: 200, value: 2);
        incoming.Numbers[1] = 20;
        incoming.Ticks[1] = 200;

        stored.Merge(incoming);

        Assert.Equal((2d, 10d), (stored.Numbers[0], stored.Numbers[1]));
        Assert.Equal((200L, 300L), (stored.Ticks[0], stored.Ticks[1]));
    }

    [Fact]
    public void Merge_SameEventTime_EndsTheSameWhicheverArrivesFirst()
    {
        var a = Row(ticks: 100, value: 1);
        a.Merge(Row(ticks: 100, value: 5));
        var b = Row(ticks: 100, value: 5);
        b.Merge(Row(ticks: 100, value: 1));

        Assert.Equal(5, a.Numbers[0]);
        Assert.Equal(5, b.Numbers[0]);
    }

    [Fact]
    public void Merge_TheSameRowTwice_ChangesNothingTheSecondTime()
    {
        var stored = new FeatureRecord("c1", ["c1"], 2);
        Assert.Equal(1, stored.Merge(Row(ticks: 100, value: 1)).Updated);

        Assert.Equal(0, stored.Merge(Row(ticks: 100, value: 1)).Updated);
    }

    private static FeatureRecord Row(long ticks, double value)
    {
        var row = new FeatureRecord("c1", ["c1"], 2);
        row.Numbers[0] = value;
        row.Ticks[0] = ticks;
        return row;
    }
}
