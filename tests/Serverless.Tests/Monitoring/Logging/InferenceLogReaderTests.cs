using Serverless.Core.Monitoring.Logging;
using Serverless.Core.Monitoring.Logging.Blocks;

namespace Serverless.Tests.Monitoring.Logging;

public sealed class InferenceLogReaderTests
{
    [Fact]
    public void Filter_IsAPartitionPointQueryWithRowKeyBoundsOnlyWhereTheWindowCutsTheHour_StartingOneBlockSpanEarly()
    {
        var from = new DateTimeOffset(2026, 3, 7, 14, 5, 0, TimeSpan.Zero);
        var to = from.AddMinutes(10);

        var whole = InferenceLogReader.Filter("m|2026030714|01", null, null);
        var cut = InferenceLogReader.Filter("m|2026030714|01", from, to);

        Assert.Equal("PartitionKey eq 'm|2026030714|01'", whole);
        var blockStart = from - InferenceLogBlockFormat.MaxSpan;
        Assert.Equal($"PartitionKey eq 'm|2026030714|01' and RowKey ge '{blockStart.UtcTicks:D19}' and RowKey lt '{to.UtcTicks:D19}'", cut);
    }
}
