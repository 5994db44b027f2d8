using Serverless.Core.Monitoring.Logging;

namespace Serverless.Tests.Monitoring.Logging;

public sealed class InferenceLogReaderTests
{
    [Fact]
    public void Filter_IsAPartitionPointQueryWithRowKeyBoundsOnlyWhereTheWindowCutsTheHour()
    {
        var from = new DateTimeOffset(2026, 3, 7, 14, 5, 0, TimeSpan.Zero);
        var to = from.AddMinutes(10);

        var whole = InferenceLogReader.Filter("m|2026030714|01", null, null);
        var cut = InferenceLogReader.Filter("m|2026030714|01", from, to);

        Assert.Equal("PartitionKey eq 'm|2026030714|01'", whole);
        Assert.Equal($"PartitionKey eq 'm|2026030714|01' and RowKey ge '{from.UtcTicks:D19}' and RowKey lt '{to.UtcTicks:D19}'", cut);
    }
}
